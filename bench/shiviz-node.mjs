// Times ShiViz's own log parser and model under Node, for bench/run.sh's `shiviz` section
// (issue 15): the work ShiViz does on "Visualize" before it draws anything.
//
//   node bench/shiviz-node.mjs SHIVIZ_DIR LOG
//
// SHIVIZ_DIR is a checkout of DistributedClocks/shiviz, built and kept by hand outside this
// repository; none of its code is copied here. Its browser scripts are plain global functions,
// so they are loaded as they are, in the order index.html gives them, into one `vm` context with
// no DOM: only the files the parser and model need, none of which touches the page while parsing.
// LOG is a file in ShiViz's upload layout (`causal stamp --format shiviz`): the parser regex on
// line 1, the execution delimiter on line 2, then the log. It is read the way ShiViz reads an
// uploaded file (shiviz.js, the `#file` change handler: `^` and `$` around a non-empty regex and
// delimiter, the default parser for an empty line 1), and parsed the way Shiviz.visualize does:
// NamedRegExp for both, one LogParser, one ModelGraph per execution.
//
// Prints one line of JSON on stdout: events, hosts and executions found, and milliseconds spent
// (wall and CPU) parsing and building the model. A log ShiViz rejects prints ShiViz's message on
// stderr and exits 2.
import fs from "node:fs";
import path from "node:path";
import vm from "node:vm";

// The scripts the parser and model need, in index.html's order (AbstractGraph and AbstractNode
// before ModelGraph and ModelNode, whose prototypes are made from theirs when they load).
const SCRIPTS = [
    "js/graph/graphEvent.js",
    "js/graph/abstractGraph.js",
    "js/graph/abstractNode.js",
    "js/model/logEvent.js",
    "js/model/modelGraph.js",
    "js/model/modelNode.js",
    "js/model/parser.js",
    "js/model/vectorTimestamp.js",
    "js/util/exception.js",
    "js/util/regexp.js",
    "js/util/util.js",
];

// ShiViz's parser when line 1 of an upload is empty (shiviz.js, `defaultParser`).
const DEFAULT_PARSER = "(?<event>.*)\\n(?<host>\\S*) (?<clock>{.*})";

const [dir, logFile] = process.argv.slice(2);
if (!dir || !logFile) {
    process.stderr.write("usage: node bench/shiviz-node.mjs SHIVIZ_DIR LOG\n");
    process.exit(2);
}

const context = vm.createContext({});
for (const script of SCRIPTS) {
    const file = path.join(dir, script);
    let code;
    try {
        code = fs.readFileSync(file, "utf8");
    } catch (e) {
        process.stderr.write(`bench/shiviz-node.mjs: ${file}: ${e.message} (is ${dir} a ShiViz checkout?)\n`);
        process.exit(2);
    }
    vm.runInContext(code, context, { filename: file });
}

// As shiviz.js reads an uploaded file.
const text = fs.readFileSync(logFile, "utf8");
const lines = text.split("\n", 2);
const parserString = lines[0].trim() ? "^" + lines[0] + "$" : DEFAULT_PARSER;
const delimiterString = lines.length > 1 && lines[1].trim() ? "^" + lines[1].trim() + "$" : "";
const log = text.substr(text.indexOf("\n", text.indexOf("\n") + 1) + 1);

context.args = { log, parserString, delimiterString };
const wall0 = performance.now();
const cpu0 = process.cpuUsage();
let result;
try {
    // As Shiviz.prototype.visualize builds its model, run inside the context so that ShiViz's
    // functions see each other as the globals they are in the browser.
    result = vm.runInContext(
        `(function () {
            var delimiterString = args.delimiterString.trim();
            var delimiter = delimiterString == "" ? null : new NamedRegExp(delimiterString, "m");
            var regexp = new NamedRegExp(args.parserString.trim(), "m");
            var t0 = Date.now();
            var parser = new LogParser(args.log, delimiter, regexp);
            var t1 = Date.now();
            var events = 0, hosts = 0;
            parser.getLabels().forEach(function (label) {
                var graph = new ModelGraph(parser.getLogEvents(label));
                events += parser.getLogEvents(label).length;
                hosts += graph.getHosts().length;
            });
            return { events: events, hosts: hosts, executions: parser.getLabels().length,
                     parse_ms: t1 - t0, model_ms: Date.now() - t1 };
        })()`,
        context,
        { filename: "shiviz-node.mjs (driver)" },
    );
} catch (e) {
    const message = typeof e?.getMessage === "function" ? e.getMessage() : String(e?.stack ?? e);
    process.stderr.write(`bench/shiviz-node.mjs: ShiViz rejected ${logFile}: ${message}\n`);
    process.exit(2);
}
const cpu = process.cpuUsage(cpu0);
result.wall_ms = Math.round(performance.now() - wall0);
result.cpu_ms = Math.round((cpu.user + cpu.system) / 1000);
process.stdout.write(JSON.stringify(result) + "\n");
