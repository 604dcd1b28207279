// The trace editor: a plain textarea (so typing, undo and screen readers just
// work) with a line-number gutter and a backdrop that highlights lines
// (the step just run, the next one, a syntax error). All three scroll together.

const LINE_H = 20;
const PAD = 6;

export type LineMark = 'done' | 'current' | 'next' | 'error';

export class TraceEditor {
  readonly textarea: HTMLTextAreaElement;
  private readonly gutter: HTMLElement;
  private readonly backdrop: HTMLElement;
  private marks = new Map<number, LineMark>();
  private errorText = '';

  constructor(root: HTMLElement, onInput: () => void) {
    this.textarea = root.querySelector('textarea')!;
    this.gutter = root.querySelector('.gutter')!;
    this.backdrop = root.querySelector('.backdrop')!;
    this.textarea.addEventListener('input', () => {
      this.render();
      onInput();
    });
    this.textarea.addEventListener('scroll', () => this.syncScroll());
  }

  get value(): string {
    return this.textarea.value;
  }

  set value(text: string) {
    this.textarea.value = text;
    this.textarea.scrollTop = 0;
    this.render();
  }

  /** Sets line marks (1-based lines) and scrolls the most important one into view; `errorText` is shown on the error line. */
  mark(marks: Map<number, LineMark>, errorText = ''): void {
    this.marks = marks;
    this.errorText = errorText;
    this.render();
    const focus = [...marks].find(([, m]) => m === 'error') ?? [...marks].find(([, m]) => m === 'current') ?? [...marks].find(([, m]) => m === 'next');
    if (focus) this.reveal(focus[0]);
  }

  private render(): void {
    const count = this.value.split('\n').length;
    const visible = Math.min(Math.max(count, 8), 24);
    this.textarea.style.height = `${visible * LINE_H + 2 * PAD}px`;
    this.gutter.replaceChildren(
      ...Array.from({ length: count }, (_, i) => {
        const n = document.createElement('span');
        const mark = this.marks.get(i + 1);
        n.className = `ln${mark ? ` ${mark}` : ''}`;
        n.textContent = String(i + 1);
        return n;
      }),
    );
    this.backdrop.replaceChildren(
      ...[...this.marks]
        .filter(([, m]) => m !== 'done')
        .map(([line, m]) => {
          const bar = document.createElement('div');
          bar.className = `bar ${m}`;
          bar.style.top = `${PAD + (line - 1) * LINE_H}px`;
          if (m === 'error' && this.errorText) {
            const msg = document.createElement('span');
            msg.className = 'inline-error';
            msg.textContent = `◀ ${this.errorText}`;
            // Right after the line's own text, in the textarea's monospace columns.
            msg.style.left = `calc(${(this.value.split('\n')[line - 1] ?? '').length + 2}ch + 8px)`;
            bar.appendChild(msg);
          }
          return bar;
        }),
    );
    this.syncScroll();
  }

  private syncScroll(): void {
    const y = `translateY(${-this.textarea.scrollTop}px)`;
    this.gutter.style.transform = y;
    this.backdrop.style.transform = `${y} translateX(${-this.textarea.scrollLeft}px)`;
  }

  private reveal(line: number): void {
    const top = (line - 1) * LINE_H;
    const ta = this.textarea;
    const view = ta.clientHeight - 2 * PAD;
    if (top < ta.scrollTop || top + LINE_H > ta.scrollTop + view) ta.scrollTop = Math.max(0, top - view / 2);
    this.syncScroll();
  }
}
