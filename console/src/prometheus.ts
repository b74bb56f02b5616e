// The Prometheus text exposition format (version 0.0.4), as /metrics serves it: one sample a line,
// `name{label="value",…} value [timestamp]`, comments and blank lines ignored.

export interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

const NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*/;
const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*/;

function parseValue(text: string): number {
  switch (text) {
    case "+Inf":
    case "Inf":
      return Infinity;
    case "-Inf":
      return -Infinity;
    case "NaN":
      return NaN;
    default: {
      const value = Number(text);
      if (text === "" || Number.isNaN(value)) throw new Error(`not a number: ${text}`);
      return value;
    }
  }
}

// Reads `{a="x",b="y"}` from the start of `text`; returns the labels and what follows the brace.
function parseLabels(text: string): [Record<string, string>, string] {
  const labels: Record<string, string> = {};
  let rest = text.slice(1);
  for (;;) {
    rest = rest.trimStart();
    if (rest.startsWith("}")) return [labels, rest.slice(1)];
    const name = LABEL_NAME.exec(rest);
    if (!name) throw new Error(`bad label name at: ${rest.slice(0, 20)}`);
    rest = rest.slice(name[0].length).trimStart();
    if (!rest.startsWith('="')) throw new Error(`expected =" after label ${name[0]}`);
    rest = rest.slice(2);
    let value = "";
    for (;;) {
      if (rest === "") throw new Error("unterminated label value");
      const c = rest[0];
      if (c === '"') break;
      if (c === "\\") {
        const escaped = rest[1];
        value += escaped === "n" ? "\n" : escaped;
        rest = rest.slice(2);
      } else {
        value += c;
        rest = rest.slice(1);
      }
    }
    labels[name[0]] = value;
    rest = rest.slice(1).trimStart();
    if (rest.startsWith(",")) rest = rest.slice(1);
  }
}

// Every sample of a scrape. A malformed line is skipped rather than failing the whole scrape:
// one odd metric must not blank the charts.
export function parsePrometheus(text: string): Sample[] {
  const samples: Sample[] = [];
  for (const raw of text.split("\n")) {
    const line = raw.trim();
    if (line === "" || line.startsWith("#")) continue;
    try {
      const name = NAME.exec(line);
      if (!name) continue;
      let rest = line.slice(name[0].length);
      let labels: Record<string, string> = {};
      if (rest.startsWith("{")) [labels, rest] = parseLabels(rest);
      const fields = rest.trim().split(/\s+/);
      samples.push({ name: name[0], labels, value: parseValue(fields[0] ?? "") });
    } catch {
      // skipped: see above
    }
  }
  return samples;
}
