//go:build unix

package cli

// The README is tested as a first-time user would follow it. Every fenced block whose info string
// is sh, bash, shell, console, zsh or empty is a shell block, and must be preceded (on the last
// non-blank line before its opening fence) by one of:
//
//	<!-- readme-test: run [OPTION...] -->      run it with bash -e; it must end with exit 0
//	<!-- readme-test: serve addr=HOST:PORT --> start it in the background (a second terminal)
//	<!-- readme-test: skip REASON -->          it cannot run here, and why (a real AWS account, ...)
//
// Options of run: exit=N (the exit status it must end with: that of its last command, or of the
// first that fails), stdout=TEXT and stderr=TEXT (text that must appear; repeatable; quote TEXT
// with Go syntax when it has spaces), dir=PATH (run in a fresh git repository holding a copy of
// PATH of the repository, instead of the clone's root), session=NAME (start with the environment
// variables and the folder the previous block of the session ended with, as one terminal would),
// emulator (the address of the last serve block, written HOST:PORT as in its addr, is replaced by
// the free port the test's emulator listens on), needs=TOOL (a program besides bash, git, go and
// eksguard; missing, the block and the rest of its session are skipped, or fail when CI=true),
// fresh (eksguard is not on PATH: the block installs it).
//
// A serve block is one long-running command that prints its URL on its first line of standard
// output; addr is the address it names, which the test replaces by a free port. It is interrupted
// (Ctrl-C) when the next serve block starts or the test ends.
//
// Other blocks (yaml, json, text, ...) need no marker, but may carry one that the test checks:
//
//	<!-- readme-test: file PATH -->     the block is the whole content of the repository's PATH
//	<!-- readme-test: output COMMAND --> the block's lines appear in COMMAND's standard output in
//	                                    order; a line "..." stands for any number of lines
//	<!-- readme-test: json COMMAND -->   the block is JSON, and every key it has (at its path, the
//	                                    elements of a list taken together) is in COMMAND's JSON
//
// Blocks run in order, in a copy of the repository (the clone the README talks about), with a
// temporary HOME, no AWS settings or credentials but those a block exports itself, instance
// metadata off, and a PATH that starts with an eksguard built from this tree once per run.

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/spf13/pflag"

	"github.com/eksguard/eksguard/internal/app"
	"github.com/eksguard/eksguard/internal/benchmark"
	"github.com/eksguard/eksguard/internal/check"
	"github.com/eksguard/eksguard/internal/iostreams"
	"github.com/eksguard/eksguard/internal/testenv"
)

// readmeBlock is one fenced block of the README.
type readmeBlock struct {
	line   int // of the opening fence, 1-based
	lang   string
	body   string
	marker *readmeMarker
}

// readmeMarker is the readme-test comment before a block.
type readmeMarker struct {
	kind string // run, serve, skip, file, output, json
	line int
	// arg is skip's reason, file's path, or the command of output and json.
	arg            string
	exit           int
	stdout, stderr []string
	dir, session   string
	emulator       bool
	needs          []string
	fresh          bool
	addr           string // serve
}

var (
	readmeFence  = regexp.MustCompile("^ {0,3}(```+|~~~+)\\s*([^`\\s]*)")
	readmeMark   = regexp.MustCompile(`^<!--\s*readme-test:(.*?)-->\s*$`)
	readmeOption = regexp.MustCompile(`^([a-z]+)(?:=("(?:[^"\\]|\\.)*"|\S+))?(?:\s+|$)`)
	shellLangs   = map[string]bool{"": true, "sh": true, "bash": true, "shell": true, "console": true, "zsh": true}
	// nonShellKinds are the markers of blocks that are not commands.
	nonShellKinds = map[string]bool{"file": true, "output": true, "json": true}
)

// parseREADME returns the README's fenced blocks with their markers, and every way the README
// breaks the convention.
func parseREADME(text string) ([]readmeBlock, []error) {
	lines := strings.Split(text, "\n")
	var blocks []readmeBlock
	var errs []error
	var pending *readmeMarker // the last marker seen outside blocks, until a non-blank line
	for i := 0; i < len(lines); i++ {
		line := lines[i]
		if m := readmeMark.FindStringSubmatch(line); m != nil {
			if pending != nil {
				errs = append(errs, fmt.Errorf("README.md:%d: readme-test marker not followed by a fenced block", pending.line))
			}
			mk, err := parseMarker(strings.TrimSpace(m[1]))
			if err != nil {
				errs = append(errs, fmt.Errorf("README.md:%d: %v", i+1, err))
				pending = nil
				continue
			}
			mk.line = i + 1
			pending = mk
			continue
		}
		f := readmeFence.FindStringSubmatch(line)
		if f == nil {
			if strings.TrimSpace(line) != "" && pending != nil {
				errs = append(errs, fmt.Errorf("README.md:%d: readme-test marker not followed by a fenced block", pending.line))
				pending = nil
			}
			continue
		}
		b := readmeBlock{line: i + 1, lang: strings.ToLower(f[2]), marker: pending}
		pending = nil
		fence := f[1]
		var body []string
		closed := false
		for i++; i < len(lines); i++ {
			if t := strings.TrimSpace(lines[i]); strings.HasPrefix(t, fence[:1]) && strings.Trim(t, fence[:1]) == "" && len(t) >= len(fence) {
				closed = true
				break
			}
			body = append(body, lines[i])
		}
		if !closed {
			errs = append(errs, fmt.Errorf("README.md:%d: fenced block never closed", b.line))
		}
		b.body = strings.Join(body, "\n") + "\n"
		shell := shellLangs[b.lang]
		switch {
		case shell && b.marker == nil:
			errs = append(errs, fmt.Errorf("README.md:%d: shell block without a readme-test marker: add <!-- readme-test: run ... --> (or skip REASON) on the line before it, or give the block a language such as text if it is not commands", b.line))
		case shell && nonShellKinds[b.marker.kind]:
			errs = append(errs, fmt.Errorf("README.md:%d: %s applies to a non-shell block (text, yaml, json)", b.marker.line, b.marker.kind))
		case !shell && b.marker != nil && !nonShellKinds[b.marker.kind]:
			errs = append(errs, fmt.Errorf("README.md:%d: %s applies to shell blocks; this one is %q", b.marker.line, b.marker.kind, b.lang))
		}
		blocks = append(blocks, b)
	}
	if pending != nil {
		errs = append(errs, fmt.Errorf("README.md:%d: readme-test marker not followed by a fenced block", pending.line))
	}
	return blocks, errs
}

func parseMarker(s string) (*readmeMarker, error) {
	kind, rest, _ := strings.Cut(s, " ")
	rest = strings.TrimSpace(rest)
	m := &readmeMarker{kind: kind}
	switch kind {
	case "skip", "file", "output", "json":
		if rest == "" {
			return nil, fmt.Errorf("readme-test: %s needs %s", kind, map[string]string{"skip": "a reason", "file": "a path", "output": "a command", "json": "a command"}[kind])
		}
		m.arg = rest
		return m, nil
	case "run", "serve":
	default:
		return nil, fmt.Errorf("readme-test: unknown kind %q (want run, serve, skip, file, output or json)", kind)
	}
	for rest != "" {
		o := readmeOption.FindStringSubmatch(rest)
		if o == nil {
			return nil, fmt.Errorf("readme-test: cannot read options at %q", rest)
		}
		rest = rest[len(o[0]):]
		key, val := o[1], o[2]
		if strings.HasPrefix(val, `"`) {
			v, err := strconv.Unquote(val)
			if err != nil {
				return nil, fmt.Errorf("readme-test: %s=%s: %v", key, val, err)
			}
			val = v
		}
		flag := !strings.Contains(o[0], "=")
		var err error
		switch {
		case kind == "serve" && key == "addr" && !flag:
			m.addr = val
		case kind == "run" && key == "exit" && !flag:
			m.exit, err = strconv.Atoi(val)
		case kind == "run" && key == "stdout" && !flag:
			m.stdout = append(m.stdout, val)
		case kind == "run" && key == "stderr" && !flag:
			m.stderr = append(m.stderr, val)
		case kind == "run" && key == "dir" && !flag:
			m.dir = val
		case kind == "run" && key == "session" && !flag:
			m.session = val
		case kind == "run" && key == "needs" && !flag:
			m.needs = append(m.needs, val)
		case kind == "run" && key == "emulator" && flag:
			m.emulator = true
		case kind == "run" && key == "fresh" && flag:
			m.fresh = true
		default:
			return nil, fmt.Errorf("readme-test: %s does not take %q", kind, strings.TrimSpace(o[0]))
		}
		if err != nil {
			return nil, fmt.Errorf("readme-test: %s: %v", key, err)
		}
	}
	if kind == "serve" && m.addr == "" {
		return nil, fmt.Errorf("readme-test: serve needs addr=HOST:PORT, the address the block names")
	}
	return m, nil
}

func TestREADMEParse(t *testing.T) {
	tests := []struct {
		name, text string
		blocks     int
		err        string
	}{
		{"marked run", "<!-- readme-test: run exit=1 stdout=\"a b\" -->\n```sh\nfalse\n```\n", 1, ""},
		{"blank line between", "<!-- readme-test: skip needs an AWS account -->\n\n```\naws\n```\n", 1, ""},
		{"yaml needs nothing", "```yaml\na: 1\n```\n", 1, ""},
		{"unmarked shell", "text\n```sh\neksguard scan\n```\n", 1, "shell block without a readme-test marker"},
		{"unlabelled is shell", "```\neksguard scan\n```\n", 1, "shell block without a readme-test marker"},
		{"marker then prose", "<!-- readme-test: run -->\nsome text\n```sh\nls\n```\n", 1, "not followed by a fenced block"},
		{"skip without reason", "<!-- readme-test: skip -->\n```sh\nls\n```\n", 1, "skip needs a reason"},
		{"unknown option", "<!-- readme-test: run colour=red -->\n```sh\nls\n```\n", 1, `does not take "colour=red"`},
		{"unknown kind", "<!-- readme-test: maybe -->\n```sh\nls\n```\n", 1, `unknown kind "maybe"`},
		{"serve without addr", "<!-- readme-test: serve -->\n```sh\nx\n```\n", 1, "serve needs addr"},
		{"run on yaml", "<!-- readme-test: run -->\n```yaml\na: 1\n```\n", 1, `applies to shell blocks`},
		{"file on shell", "<!-- readme-test: file a.yaml -->\n```sh\nls\n```\n", 1, "applies to a non-shell block"},
		{"json on json", "<!-- readme-test: json eksguard demo --format json -->\n```json\n{}\n```\n", 1, ""},
		{"unclosed", "<!-- readme-test: run -->\n```sh\nls\n", 1, "never closed"},
		{"fence inside a block is text", "<!-- readme-test: run -->\n````sh\n```\n````\n", 1, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			blocks, errs := parseREADME(tt.text)
			if len(blocks) != tt.blocks {
				t.Errorf("%d blocks, want %d", len(blocks), tt.blocks)
			}
			got := fmt.Sprint(errs)
			if tt.err == "" && len(errs) > 0 || tt.err != "" && !strings.Contains(got, tt.err) {
				t.Errorf("errors %s, want %q", got, tt.err)
			}
		})
	}
	blocks, _ := parseREADME("<!-- readme-test: run exit=3 session=a emulator needs=aws stderr=\"say \\\"hi\\\"\" -->\n```sh\nx\n```\n")
	m := blocks[0].marker
	if m.exit != 3 || m.session != "a" || !m.emulator || fmt.Sprint(m.needs) != "[aws]" || fmt.Sprint(m.stderr) != `[say "hi"]` {
		t.Errorf("marker = %+v", m)
	}
}

// readmeRepo is the repository root (where go.mod is), from the package folder tests run in.
func readmeRepo(t *testing.T) string {
	t.Helper()
	root, err := filepath.Abs(filepath.Join("..", ".."))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(root, "go.mod")); err != nil {
		t.Fatalf("repository root: %v", err)
	}
	return root
}

// readmeText is the README.
func readmeText(t *testing.T) string {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(readmeRepo(t), "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	return string(data)
}

// readmeEnv is what every block starts with.
type readmeEnv struct {
	repo, clone, home, bin string
	tmp                    string   // lives as long as the whole test: what outlives one block goes here
	env                    []string // base environment, PATH with bin first
	freshEnv               []string // PATH without any eksguard
	sessions               map[string]*readmeSession
	server                 *readmeServer
}

type readmeSession struct {
	env []string
	dir string
	// skipped says why a block of the session was skipped: the blocks after it would miss what it
	// set up, so they are skipped too.
	skipped string
}

type readmeServer struct {
	readmeAddr, addr string
	cmd              *exec.Cmd
	done             chan error
	log              *os.File
}

func TestREADME(t *testing.T) {
	blocks, errs := parseREADME(readmeText(t))
	for _, err := range errs {
		t.Error(err)
	}
	if len(errs) > 0 {
		t.FailNow()
	}
	e := newReadmeEnv(t)
	defer e.stopServer(t)
	for _, b := range blocks {
		if b.marker == nil || b.marker.kind == "skip" {
			continue
		}
		t.Run(fmt.Sprintf("README.md:%d", b.line), func(t *testing.T) {
			switch b.marker.kind {
			case "file":
				e.checkFile(t, b)
			case "output":
				e.checkOutput(t, b)
			case "json":
				e.checkJSON(t, b)
			case "serve":
				e.serve(t, b)
			case "run":
				e.run(t, b)
			}
		})
	}
}

func newReadmeEnv(t *testing.T) *readmeEnv {
	t.Helper()
	testenv.RequireTool(t, "bash")
	testenv.RequireTool(t, "git")
	e := &readmeEnv{repo: readmeRepo(t), sessions: map[string]*readmeSession{}}
	tmp := t.TempDir()
	e.tmp = tmp
	e.bin, e.home, e.clone = filepath.Join(tmp, "bin"), filepath.Join(tmp, "home"), filepath.Join(tmp, "eksguard")
	for _, d := range []string{e.bin, e.home, filepath.Join(tmp, "tmp")} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	build := exec.Command("go", "build", "-o", filepath.Join(e.bin, "eksguard"), "./cmd/eksguard")
	build.Dir = e.repo
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("go build ./cmd/eksguard: %v\n%s", err, out)
	}
	readmeCopy(t, e.repo, e.clone)

	// The Go toolchain keeps using this machine's module and build caches, without the network,
	// so that a block's go install works offline and fast; GOPATH itself is the temporary HOME's.
	goenv := map[string]string{}
	for _, k := range []string{"GOMODCACHE", "GOCACHE", "GOROOT"} {
		out, err := exec.Command("go", "env", k).Output()
		if err != nil {
			t.Fatalf("go env %s: %v", k, err)
		}
		goenv[k] = strings.TrimSpace(string(out))
	}
	var env []string
	for _, kv := range os.Environ() {
		k, _, _ := strings.Cut(kv, "=")
		switch {
		case strings.HasPrefix(k, "AWS_"), strings.HasPrefix(k, "EKSGUARD_"), strings.HasPrefix(k, "GO"), strings.HasPrefix(k, "XDG_"),
			k == "HOME", k == "PATH", k == "TMPDIR", k == "CDPATH", k == "BASH_ENV", k == "ENV", k == "NO_COLOR":
			continue
		}
		env = append(env, kv)
	}
	env = append(env,
		"HOME="+e.home, "TMPDIR="+filepath.Join(tmp, "tmp"),
		"AWS_EC2_METADATA_DISABLED=true", // no instance role of a CI machine answers for "no credentials"
		"GOMODCACHE="+goenv["GOMODCACHE"], "GOCACHE="+goenv["GOCACHE"], "GOPROXY=off", "GOTOOLCHAIN=local", "GOFLAGS=-buildvcs=false",
	)
	// PATH without any other eksguard (a go install of an older tree), and with the go command.
	var sys []string
	for _, d := range filepath.SplitList(os.Getenv("PATH")) {
		if _, err := os.Stat(filepath.Join(d, "eksguard")); err == nil || d == "" {
			continue
		}
		sys = append(sys, d)
	}
	if goBin := filepath.Join(goenv["GOROOT"], "bin"); !slices.Contains(sys, goBin) {
		sys = append(sys, goBin)
	}
	e.env = append(slices.Clone(env), "PATH="+strings.Join(append([]string{e.bin}, sys...), string(os.PathListSeparator)))
	e.freshEnv = append(slices.Clone(env), "PATH="+strings.Join(sys, string(os.PathListSeparator)))
	return e
}

// readmeCopy copies the files of src into dst, leaving out .git (a clone's history is not what the
// README's commands read).
func readmeCopy(t *testing.T, src, dst string) {
	t.Helper()
	err := filepath.WalkDir(src, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			if p != src && (os.IsNotExist(err) || os.IsPermission(err)) {
				return nil // a file another process removed while we walked, or a test's unreadable one
			}
			return err
		}
		rel, _ := filepath.Rel(src, p)
		if d.IsDir() && d.Name() == ".git" {
			return filepath.SkipDir
		}
		target := filepath.Join(dst, rel)
		switch {
		case d.IsDir():
			return os.MkdirAll(target, 0o755)
		case d.Type()&fs.ModeSymlink != 0:
			l, err := os.Readlink(p)
			if err != nil {
				return nil
			}
			return os.Symlink(l, target)
		case d.Type().IsRegular():
			data, err := os.ReadFile(p)
			if err != nil {
				return nil
			}
			info, err := d.Info()
			if err != nil {
				return nil
			}
			return os.WriteFile(target, data, info.Mode().Perm())
		}
		return nil // pipes and sockets some tests leave behind
	})
	if err != nil {
		t.Fatalf("copy %s: %v", src, err)
	}
}

func (e *readmeEnv) checkFile(t *testing.T, b readmeBlock) {
	data, err := os.ReadFile(filepath.Join(e.repo, b.marker.arg))
	if err != nil {
		t.Fatalf("README.md:%d: %v", b.marker.line, err)
	}
	if string(data) != b.body {
		t.Errorf("README.md:%d: the block is not the content of %s; copy the file into the README (or the block into the file):\n%s",
			b.line, b.marker.arg, firstDifference(string(data), b.body))
	}
}

// firstDifference shows the first line where want and got differ.
func firstDifference(want, got string) string {
	w, g := strings.Split(want, "\n"), strings.Split(got, "\n")
	for i := 0; i < max(len(w), len(g)); i++ {
		var wl, gl string
		if i < len(w) {
			wl = w[i]
		}
		if i < len(g) {
			gl = g[i]
		}
		if wl != gl {
			return fmt.Sprintf("line %d of the file:  %q\nline %d of the block: %q", i+1, wl, i+1, gl)
		}
	}
	return "(they differ only in the end of the last line)"
}

func (e *readmeEnv) checkOutput(t *testing.T, b readmeBlock) {
	res := e.bash(t, b.marker.arg, e.clone, e.env, 2*time.Minute)
	if res.code != 0 {
		t.Fatalf("README.md:%d: %s: exit %d\n%s", b.marker.line, b.marker.arg, res.code, res.tail())
	}
	if msg := matchSample(b.body, res.stdout); msg != "" {
		t.Errorf("README.md:%d: the sample is not what %s prints: %s\nit prints:\n%s", b.line, b.marker.arg, msg, res.stdout)
	}
}

// matchSample reports how sample differs from out ("" when it does not): runs of sample lines
// separated by "..." lines must each appear as consecutive lines of out, in order. Trailing spaces
// are ignored.
func matchSample(sample, out string) string {
	trim := func(s string) []string {
		lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
		for i := range lines {
			lines[i] = strings.TrimRight(lines[i], " \t")
		}
		return lines
	}
	outLines := trim(out)
	var runs [][]string
	cur := []string{}
	for _, l := range trim(sample) {
		if l == "..." {
			runs = append(runs, cur)
			cur = []string{}
			continue
		}
		cur = append(cur, l)
	}
	runs = append(runs, cur)
	at := 0
	for _, run := range runs {
		if len(run) == 0 {
			continue
		}
		found := -1
		for i := at; i+len(run) <= len(outLines); i++ {
			if slices.Equal(outLines[i:i+len(run)], run) {
				found = i
				break
			}
		}
		if found < 0 {
			return fmt.Sprintf("these lines do not follow in the output: %q", run)
		}
		at = found + len(run)
	}
	return ""
}

// checkJSON holds a JSON sample to what its command writes: every key of the sample, at its path,
// is in the output. Values are examples and are not compared.
func (e *readmeEnv) checkJSON(t *testing.T, b readmeBlock) {
	var sample any
	if err := json.Unmarshal([]byte(b.body), &sample); err != nil {
		t.Fatalf("README.md:%d: the sample is not JSON: %v", b.line, err)
	}
	res := e.bash(t, b.marker.arg, e.clone, e.env, 2*time.Minute)
	var out any
	if err := json.Unmarshal([]byte(res.stdout), &out); err != nil {
		t.Fatalf("README.md:%d: %s did not write JSON (exit %d): %v\n%s", b.marker.line, b.marker.arg, res.code, err, res.tail())
	}
	have := map[string]bool{}
	jsonKeys(out, "", have)
	want := map[string]bool{}
	jsonKeys(sample, "", want)
	var missing []string
	for k := range want {
		if !have[k] {
			missing = append(missing, k)
		}
	}
	slices.Sort(missing)
	if len(missing) > 0 {
		t.Errorf("README.md:%d: the sample has keys that %s does not write: %s", b.line, b.marker.arg, strings.Join(missing, ", "))
	}
}

// jsonKeys adds the path of every object key in v to keys: "results[].resource.name".
func jsonKeys(v any, path string, keys map[string]bool) {
	switch v := v.(type) {
	case map[string]any:
		for k, x := range v {
			p := k
			if path != "" {
				p = path + "." + k
			}
			keys[p] = true
			jsonKeys(x, p, keys)
		}
	case []any:
		for _, x := range v {
			jsonKeys(x, path+"[]", keys)
		}
	}
}

// serve starts a serve block in the background, on a free port instead of the one it names.
func (e *readmeEnv) serve(t *testing.T, b readmeBlock) {
	e.stopServer(t)
	addr := fmt.Sprintf("127.0.0.1:%d", testenv.FreePort(t))
	body := strings.ReplaceAll(b.body, b.marker.addr, addr)
	if body == b.body {
		t.Fatalf("README.md:%d: the block does not name its addr %s", b.line, b.marker.addr)
	}
	cmd := exec.Command("bash", "-e", "-c", body)
	cmd.Dir, cmd.Env = e.clone, e.env
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	// A pipe of our own rather than StdoutPipe, so that Wait may run while the output is read.
	stdout, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stdout = w
	logFile, err := os.CreateTemp(e.tmp, "serve-*.log")
	if err != nil {
		t.Fatal(err)
	}
	logPath := logFile.Name()
	cmd.Stderr = logFile
	err = cmd.Start()
	w.Close()
	if err != nil {
		stdout.Close()
		logFile.Close()
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	e.server = &readmeServer{readmeAddr: b.marker.addr, addr: addr, cmd: cmd, done: done, log: logFile}
	first := make(chan string, 1)
	go func() {
		defer stdout.Close()
		sc := bufio.NewScanner(stdout)
		if sc.Scan() {
			first <- sc.Text()
		}
		close(first)
		for sc.Scan() {
		}
	}()
	// A server that did not start is stopped and forgotten, so the blocks that need it fail at once.
	fail := func(format string, args ...any) {
		_ = syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
		<-done
		logFile.Close()
		e.server = nil
		log, _ := os.ReadFile(logPath)
		t.Fatalf(format+"\nstandard error:\n%s", append(args, log)...)
	}
	select {
	case line := <-first:
		if want := "http://" + addr; line != want {
			fail("README.md:%d: first line %q, want %q", b.line, line, want)
		}
	case <-time.After(30 * time.Second):
		fail("README.md:%d: no URL on standard output within 30s", b.line)
	}
}

// stopServer interrupts the running serve block, as Ctrl-C would, and requires it to stop.
func (e *readmeEnv) stopServer(t *testing.T) {
	s := e.server
	if s == nil {
		return
	}
	e.server = nil
	defer s.log.Close()
	_ = syscall.Kill(-s.cmd.Process.Pid, syscall.SIGINT)
	select {
	case err := <-s.done:
		if err != nil {
			t.Errorf("the emulator on %s did not stop cleanly on Ctrl-C: %v", s.addr, err)
		}
	case <-time.After(10 * time.Second):
		_ = syscall.Kill(-s.cmd.Process.Pid, syscall.SIGKILL)
		<-s.done
		t.Errorf("the emulator on %s did not stop within 10s of Ctrl-C", s.addr)
	}
}

func (e *readmeEnv) run(t *testing.T, b readmeBlock) {
	m := b.marker
	var sess *readmeSession
	if m.session != "" {
		if sess = e.sessions[m.session]; sess == nil {
			sess = &readmeSession{}
			e.sessions[m.session] = sess
		}
		if sess.skipped != "" {
			t.Skipf("an earlier block of session %s was skipped (%s), and this one continues it", m.session, sess.skipped)
		}
	}
	for _, tool := range m.needs {
		if _, err := exec.LookPath(tool); err != nil && sess != nil && os.Getenv("CI") != "true" {
			sess.skipped = tool + " not found"
		}
		testenv.RequireTool(t, tool)
	}
	body := b.body
	if m.emulator {
		if e.server == nil {
			t.Fatalf("README.md:%d: emulator: no serve block before this one is running (or it did not start)", m.line)
		}
		if !strings.Contains(body, e.server.readmeAddr) {
			t.Fatalf("README.md:%d: emulator: the block does not name %s", m.line, e.server.readmeAddr)
		}
		body = strings.ReplaceAll(body, e.server.readmeAddr, e.server.addr)
	}
	env, dir := e.env, e.clone
	if m.fresh {
		env = e.freshEnv
	}
	if sess != nil && sess.env != nil {
		env, dir = sess.env, sess.dir
	}
	if m.dir != "" {
		// Under the test's own folder: a session may go on in it after this block.
		parent, err := os.MkdirTemp(e.tmp, "dir-")
		if err != nil {
			t.Fatal(err)
		}
		dir = filepath.Join(parent, filepath.Base(m.dir))
		readmeCopy(t, filepath.Join(e.clone, m.dir), dir)
		if out, err := exec.Command("git", "-C", dir, "init", "-q").CombinedOutput(); err != nil {
			t.Fatalf("git init: %v\n%s", err, out)
		}
	}
	res := e.bash(t, body, dir, env, 3*time.Minute)
	if sess != nil {
		if res.env == nil {
			// Without the state the block ended with, the next would start from the test's own
			// environment, which is not what a terminal would have.
			t.Fatalf("README.md:%d: the block's environment was not recorded", b.line)
		}
		sess.env, sess.dir = res.env, res.dir
	}
	if res.code != m.exit {
		t.Errorf("README.md:%d: exit %d, want %d\n%s", b.line, res.code, m.exit, res.tail())
	}
	for _, s := range m.stdout {
		if !strings.Contains(res.stdout, s) {
			t.Errorf("README.md:%d: standard output does not contain %q\n%s", b.line, s, res.tail())
		}
	}
	for _, s := range m.stderr {
		if !strings.Contains(res.stderr, s) {
			t.Errorf("README.md:%d: standard error does not contain %q\n%s", b.line, s, res.tail())
		}
	}
}

type readmeResult struct {
	code           int
	stdout, stderr string
	env            []string // at the end of the block
	dir            string
}

func (r readmeResult) tail() string {
	cut := func(s string) string {
		if len(s) > 4000 {
			return "..." + s[len(s)-4000:]
		}
		return s
	}
	return "standard output:\n" + cut(r.stdout) + "\nstandard error:\n" + cut(r.stderr)
}

// bash runs script with bash -e in dir, and returns what it printed, its exit status, and the
// environment and folder it ended with.
func (e *readmeEnv) bash(t *testing.T, script, dir string, env []string, timeout time.Duration) readmeResult {
	t.Helper()
	tmp := t.TempDir()
	envFile, dirFile := filepath.Join(tmp, "env"), filepath.Join(tmp, "dir")
	// The trap records the state a terminal would keep for the next block, whatever way the block ends.
	// bash builtins only, so that it works with any env(1).
	prologue := fmt.Sprintf("trap 'for v in $(compgen -e); do printf \"%%s=%%s\\0\" \"$v\" \"${!v}\"; done > %q; pwd > %q' EXIT\n", envFile, dirFile)
	path := filepath.Join(tmp, "block.sh")
	if err := os.WriteFile(path, []byte(prologue+script), 0o600); err != nil {
		t.Fatal(err)
	}
	stdout, _ := os.Create(filepath.Join(tmp, "stdout"))
	stderr, _ := os.Create(filepath.Join(tmp, "stderr"))
	defer stdout.Close()
	defer stderr.Close()
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, "bash", "-e", path)
	cmd.Dir, cmd.Env, cmd.Stdout, cmd.Stderr = dir, env, stdout, stderr
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	cmd.Cancel = func() error { return syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL) }
	err := cmd.Run()
	if cmd.ProcessState == nil {
		t.Fatalf("bash: %v", err)
	}
	// Whatever the block left running in the background goes with it.
	_ = syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
	res := readmeResult{code: cmd.ProcessState.ExitCode()}
	if ctx.Err() != nil {
		t.Errorf("the block did not finish within %s", timeout)
	}
	out, _ := os.ReadFile(stdout.Name())
	errOut, _ := os.ReadFile(stderr.Name())
	res.stdout, res.stderr = string(out), string(errOut)
	if data, err := os.ReadFile(envFile); err == nil {
		for _, kv := range strings.Split(string(data), "\x00") {
			// bash's own bookkeeping is not part of what the next block starts with.
			if k, _, _ := strings.Cut(kv, "="); kv != "" && k != "_" && k != "SHLVL" && k != "OLDPWD" && k != "PWD" {
				res.env = append(res.env, kv)
			}
		}
	}
	res.dir = dir
	if data, err := os.ReadFile(dirFile); err == nil {
		res.dir = strings.TrimSpace(string(data))
	}
	return res
}

// readmePending are flags whose README documentation is being written elsewhere: they may be
// missing from the README until then. Remove a flag from here when the README documents it (the
// test says so).
var readmePending = map[string][]string{}

// TestREADMEDocumentsEveryFlag holds the README to --help: every flag of every command is named in
// the command's section (### eksguard NAME; the root's flags anywhere), and every flag a section's
// synopsis or flag table names is a flag of the command.
func TestREADMEDocumentsEveryFlag(t *testing.T) {
	readme := readmeText(t)
	streams, _, _, _ := iostreams.Test()
	root := NewRoot(app.New(streams))
	flagRE := func(name string) *regexp.Regexp {
		return regexp.MustCompile(`(^|[^A-Za-z0-9-])--` + regexp.QuoteMeta(name) + `([^A-Za-z0-9-]|$)`)
	}
	check := func(cmdName, text string, fs *pflag.FlagSet) {
		fs.VisitAll(func(f *pflag.Flag) {
			if f.Name == "help" || f.Hidden {
				return
			}
			documented := flagRE(f.Name).MatchString(text)
			pending := slices.Contains(readmePending[cmdName], f.Name)
			where := "the README's section ### eksguard " + cmdName
			if cmdName == "" {
				where = "the README"
			}
			switch {
			case !documented && !pending:
				t.Errorf("--%s of %q is not documented in %s (its help says: %s)", f.Name, "eksguard "+cmdName, where, f.Usage)
			case documented && pending:
				t.Errorf("--%s of %q is now documented in %s: remove it from readmePending in internal/cli/readme_test.go", f.Name, "eksguard "+cmdName, where)
			}
		})
	}
	check("", readme, root.PersistentFlags())
	for name, flags := range readmePending {
		for _, f := range flags {
			c := root
			if name != "" {
				c, _, _ = root.Find([]string{name})
			}
			if c.Flags().Lookup(f) == nil && c.PersistentFlags().Lookup(f) == nil {
				t.Errorf("readmePending lists --%s of %q, which no longer exists: remove it", f, "eksguard "+name)
			}
		}
	}
	for _, c := range root.Commands() {
		if c.Hidden || c.Name() == "help" || c.Name() == "completion" {
			continue
		}
		section, ok := readmeSection(readme, "eksguard "+c.Name())
		if !ok {
			if c.HasAvailableLocalFlags() {
				t.Errorf("the README has no section ### eksguard %s for a command with flags", c.Name())
			}
			continue
		}
		check(c.Name(), section, c.LocalFlags())
		for _, name := range namedFlags(section) {
			if c.Flags().Lookup(name) == nil && c.InheritedFlags().Lookup(name) == nil {
				t.Errorf("the README's section ### eksguard %s names --%s in a synopsis or flag table, and %q has no such flag", c.Name(), name, "eksguard "+c.Name())
			}
		}
	}
}

// readmeSection is the text under the heading "### TITLE", up to the next heading of level 2 or 3.
func readmeSection(readme, title string) (string, bool) {
	_, after, ok := strings.Cut(readme, "\n### "+title+"\n")
	if !ok {
		return "", false
	}
	end := len(after)
	for _, h := range []string{"\n## ", "\n### "} {
		if i := strings.Index(after, h); i >= 0 && i < end {
			end = i
		}
	}
	return after[:end], true
}

// namedFlags are the flags a section's synopses (text blocks of command lines) and the first
// column of its flag tables name.
func namedFlags(section string) []string {
	var out []string
	tok := regexp.MustCompile(`--([a-z][a-z0-9-]*)`)
	inSynopsis := false
	inTable := false
	for _, line := range strings.Split(section, "\n") {
		switch {
		case strings.HasPrefix(line, "```text"):
			inSynopsis = true
			continue
		case strings.HasPrefix(line, "```"):
			inSynopsis = false
			continue
		case strings.HasPrefix(line, "| flag |"):
			inTable = true
			continue
		case !strings.HasPrefix(line, "|"):
			inTable = false
		}
		var text string
		switch {
		case inSynopsis && strings.HasPrefix(strings.TrimSpace(line), "eksguard "), inSynopsis && strings.HasPrefix(line, " "):
			text = line
		case inTable && !strings.HasPrefix(line, "|---"):
			cells := strings.Split(line, "|")
			if len(cells) > 1 {
				text = cells[1]
			}
		}
		for _, m := range tok.FindAllStringSubmatch(text, -1) {
			out = append(out, m[1])
		}
	}
	return out
}

// TestREADMEControlTable holds the README's table of evaluated controls to the benchmark data:
// the same controls, each with its checks, and the count of controls it states.
func TestREADMEControlTable(t *testing.T) {
	readme := readmeText(t)
	b := benchmark.Default()
	row := regexp.MustCompile("(?m)^\\| \\*\\*([0-9.]+)\\*\\* [^|]+\\| ([^|]+) \\|")
	got := map[string]string{}
	for _, m := range row.FindAllStringSubmatch(readme, -1) {
		var checks []string
		for _, c := range regexp.MustCompile("`([a-z-]+)`").FindAllStringSubmatch(m[2], -1) {
			checks = append(checks, c[1])
		}
		slices.Sort(checks)
		got[m[1]] = strings.Join(checks, ",")
	}
	want := map[string]string{}
	for _, c := range b.Evaluated() {
		checks := slices.Clone(c.Checks)
		slices.Sort(checks)
		want[c.ID] = strings.Join(checks, ",")
	}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("the README's control table lists (control: checks) %v; eksguard evaluates %v", got, want)
	}
	if s := fmt.Sprintf("lists all %d controls of the benchmark", len(b.Controls)); !strings.Contains(readme, s) {
		t.Errorf("the README does not say %q", s)
	}
}

// TestREADMEIAMCoversEveryCall: the policies of the README's IAM section grant every API call of
// every check, so a user who copies them gets no ERROR for a permission the README forgot.
func TestREADMEIAMCoversEveryCall(t *testing.T) {
	readme := readmeText(t)
	start := strings.Index(readme, "\n## IAM permissions")
	if start < 0 {
		t.Fatal("the README has no IAM permissions section")
	}
	section := readme[start+1:]
	if end := strings.Index(section, "\n## "); end >= 0 {
		section = section[:end]
	}
	granted := map[string]bool{}
	for _, m := range regexp.MustCompile("(?s)```json\n(.*?)```").FindAllStringSubmatch(section, -1) {
		var doc struct {
			Statement []struct {
				Action any `json:"Action"`
			} `json:"Statement"`
		}
		if err := json.Unmarshal([]byte(m[1]), &doc); err != nil {
			t.Fatalf("an IAM policy of the README is not JSON: %v\n%s", err, m[1])
		}
		for _, st := range doc.Statement {
			switch a := st.Action.(type) {
			case string:
				granted[a] = true
			case []any:
				for _, x := range a {
					granted[fmt.Sprint(x)] = true
				}
			}
		}
	}
	for _, k := range check.All() {
		for _, c := range k.Calls {
			if !c.Kubernetes && !granted[c.Action] {
				t.Errorf("%s calls %s, which no policy of the README's IAM section grants", k.ID, c.Action)
			}
		}
	}
}
