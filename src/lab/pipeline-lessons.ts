// Pipeline lessons: lab/pipelines/NN-name.pipeline names the programs to run
// ("run LABEL: producer 49152 | tee copy | sum", one line per way to run
// it) and the size of every pipe; NN-name.expected is what the same
// pipelines printed on Linux, built natively (test/lab/native/record.sh);
// NN-name.html explains. A lesson with NN-name.c instead is a program to
// write in the Program tab.

export interface Command {
  /** The program (a built example, lab/pipelines/wasm/NAME.wasm), argv[0]. */
  name: string;
  args: string[];
}

export interface PipelineRun {
  label: string;
  /** As written: `producer 49152 | tee copy | sum`. */
  text: string;
  commands: Command[];
  /** Linux's outputs of this pipeline and how many of the recorded runs printed each (a race prints several). */
  linux: { output: string; times: number }[];
}

export interface PipelineLesson {
  /** "08-double-buffer" */
  id: string;
  number: number;
  title: string;
  html: string;
  /** F_SETPIPE_SZ of every pipe, in bytes (Linux's default is 65536). */
  pipeSize?: number;
  runs: PipelineRun[];
  /** The program of a write-your-own lesson, for the Program tab. */
  program?: string;
  /** The first line of the .expected file: where and how Linux's output was recorded. */
  recorded?: string;
}

/** Groups lab/pipelines files by lesson id; `files` maps a path ending in NN-name.ext to its text. */
export function collectPipelineLessons(files: Record<string, string>): PipelineLesson[] {
  const parts = new Map<string, Record<string, string>>();
  for (const [path, body] of Object.entries(files)) {
    const m = /(\d\d-[a-z0-9-]+)\.(pipeline|expected|html|c)$/.exec(path);
    if (!m) continue;
    parts.set(m[1]!, { ...parts.get(m[1]!), [m[2]!]: body });
  }
  return [...parts]
    .filter(([, p]) => p.pipeline !== undefined || p.c !== undefined)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([id, p]) => parseLesson(id, p));
}

function parseLesson(id: string, p: Record<string, string>): PipelineLesson {
  const lines = (p.pipeline ?? p.c ?? '').split('\n');
  const title = /Lesson \d+:\s*(.*?)(\s*\*\/)?$/.exec(lines[0] ?? '')?.[1] ?? id;
  const lesson: PipelineLesson = { id, number: Number(id.slice(0, 2)), title, html: p.html ?? '', runs: [] };
  if (p.c !== undefined) return { ...lesson, program: p.c };
  const linux = parseExpected(p.expected ?? '');
  for (const line of lines) {
    const size = /^pipe-size (\d+)$/.exec(line);
    if (size) lesson.pipeSize = Number(size[1]);
    const run = /^run (.*?): (.*)$/.exec(line);
    if (run) lesson.runs.push({ label: run[1]!, text: run[2]!, commands: parseCommands(run[2]!), linux: linux.get(run[1]!) ?? [] });
  }
  lesson.recorded = /^# (.*)$/.exec(p.expected ?? '')?.[1];
  return lesson;
}

/** `producer 49152 | tee copy | sum`: words, "|" between programs (no quoting: lessons need none). */
export function parseCommands(text: string): Command[] {
  return text.split('|').map((part) => {
    const [name = '', ...args] = part.trim().split(/\s+/);
    return { name, args };
  });
}

/** "LABEL<TAB>TIMES<TAB>OUTPUT" lines (record.sh); the output is one line, its newline dropped. */
function parseExpected(text: string): Map<string, { output: string; times: number }[]> {
  const out = new Map<string, { output: string; times: number }[]>();
  for (const line of text.split('\n')) {
    const m = /^([^#\t][^\t]*)\t(\d+)\t(.*)$/.exec(line);
    if (m) out.set(m[1]!, [...(out.get(m[1]!) ?? []), { output: `${m[3]}\n`, times: Number(m[2]) }]);
  }
  return out;
}
