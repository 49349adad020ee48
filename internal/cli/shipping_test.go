package cli

// The shipping files (action.yml, .pre-commit-hooks.yaml, .goreleaser.yaml, Dockerfile,
// .dockerignore) name commands, flags and a linker symbol of this program. These tests hold them to
// the program as it is, and run the action's shell steps and the hook's command with a real binary,
// so that renaming a flag or moving internal/version breaks a test rather than a user's pipeline.

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/spf13/cobra"
	"go.yaml.in/yaml/v3"

	"github.com/eksguard/eksguard/internal/app"
	"github.com/eksguard/eksguard/internal/iostreams"
	"github.com/eksguard/eksguard/internal/testenv"
)

// versionSymbol is the variable every build stamps: -X versionSymbol=v1.2.3.
const versionSymbol = "github.com/eksguard/eksguard/internal/version.Version"

type shippingAction struct {
	Runs struct {
		Using string
		Steps []struct {
			Name, ID, Shell, Uses, If, Run string
			Env                            map[string]string
			With                           map[string]string
		}
	}
	Inputs  map[string]struct{ Description, Default string }
	Outputs map[string]struct{ Value string }
}

type shippingHook struct {
	ID, Name, Language, Entry string
	PassFilenames             *bool    `yaml:"pass_filenames"`
	TypesOr                   []string `yaml:"types_or"`
	Args                      []string
	MinimumPreCommitVersion   string `yaml:"minimum_pre_commit_version"`
}

// shippingRead parses a file of the repository root as YAML into v.
func shippingRead(t *testing.T, name string, v any) string {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(readmeRepo(t), name))
	if err != nil {
		t.Fatal(err)
	}
	if v != nil {
		if err := yaml.Unmarshal(data, v); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
	}
	return string(data)
}

// shippingIaC is the iac command of the real command tree.
func shippingIaC(t *testing.T) *cobra.Command {
	t.Helper()
	io, _, _, _ := iostreams.Test()
	cmd, _, err := NewRoot(app.New(io)).Find([]string{"iac"})
	if err != nil || cmd.Name() != "iac" {
		t.Fatalf("no iac command: %v", err)
	}
	return cmd
}

var shippingFlag = regexp.MustCompile(`(^|[\s"'(])--([a-z][a-z0-9-]*)`)

// TestShipping builds eksguard once, stamped with a test version, for the checks that run it.
func TestShipping(t *testing.T) {
	bin := filepath.Join(t.TempDir(), "eksguard")
	build := exec.Command("go", "build", "-ldflags", "-X "+versionSymbol+"=v9.8.7-shipping-test", "-o", bin, "./cmd/eksguard")
	build.Dir = readmeRepo(t)
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("go build ./cmd/eksguard: %v\n%s", err, out)
	}
	t.Run("flags exist", shippingFlagsExist)
	t.Run("action shape", shippingActionShape)
	t.Run("action script", func(t *testing.T) { shippingActionScript(t, bin) })
	t.Run("pre-commit hook", func(t *testing.T) { shippingPreCommitHook(t, bin) })
	t.Run("version stamp", func(t *testing.T) { shippingVersionStamp(t, bin) })
	t.Run("docker context", shippingDockerContext)
	t.Run("completion", shippingCompletion)
}

// shippingFlagsExist checks that every --flag the action and the hook mention is a flag of
// eksguard iac.
func shippingFlagsExist(t *testing.T) {
	iac := shippingIaC(t)
	var action shippingAction
	actionText := shippingRead(t, "action.yml", &action)
	var hooks []shippingHook
	shippingRead(t, ".pre-commit-hooks.yaml", &hooks)
	texts := map[string]string{"action.yml": actionText}
	for _, h := range hooks {
		texts[".pre-commit-hooks.yaml "+h.ID] = h.Entry + " " + strings.Join(h.Args, " ")
	}
	for file, text := range texts {
		found := 0
		for _, m := range shippingFlag.FindAllStringSubmatch(text, -1) {
			found++
			name := m[2]
			if iac.Flags().Lookup(name) == nil && iac.InheritedFlags().Lookup(name) == nil {
				t.Errorf("%s names --%s, which eksguard iac does not have", file, name)
			}
		}
		if found == 0 {
			t.Errorf("%s names no flag at all: is the pattern still right?", file)
		}
	}
}

func shippingActionShape(t *testing.T) {
	var a shippingAction
	shippingRead(t, "action.yml", &a)
	if a.Runs.Using != "composite" {
		t.Errorf("runs.using = %q, want composite", a.Runs.Using)
	}
	for name, def := range map[string]string{"path": ".", "format": "sarif", "output": "", "args": "", "upload-sarif": "true", "category": "eksguard"} {
		in, ok := a.Inputs[name]
		if !ok {
			t.Errorf("input %s is missing", name)
			continue
		}
		if in.Default != def {
			t.Errorf("input %s defaults to %q, want %q", name, in.Default, def)
		}
	}
	var uses []string
	for _, s := range a.Runs.Steps {
		if s.Uses != "" {
			uses = append(uses, strings.Split(s.Uses, "@")[0])
		}
		// Inputs pasted into a script would let a value run as shell code.
		if strings.Contains(s.Run, "${{") {
			t.Errorf("step %q expands ${{ }} inside its script; pass values through env", s.Name)
		}
	}
	if want := []string{"actions/setup-go", "github/codeql-action/upload-sarif"}; !slices.Equal(uses, want) {
		t.Errorf("the action uses %v, want %v", uses, want)
	}
	for _, o := range []string{"exit-code", "report"} {
		if !strings.Contains(a.Outputs[o].Value, "steps.scan.outputs."+o) {
			t.Errorf("output %s = %q, want the scan step's", o, a.Outputs[o].Value)
		}
	}
}

func shippingPreCommitHook(t *testing.T, bin string) {
	var hooks []shippingHook
	shippingRead(t, ".pre-commit-hooks.yaml", &hooks)
	if len(hooks) != 1 || hooks[0].ID != "eksguard-iac" {
		t.Fatalf("hooks = %+v, want the one hook eksguard-iac", hooks)
	}
	h := hooks[0]
	if h.Language != "golang" || h.Entry != "eksguard iac" {
		t.Errorf("language %q entry %q, want golang and eksguard iac", h.Language, h.Entry)
	}
	// eksguard judges a cluster with its whole configuration: the hook scans the repository.
	if h.PassFilenames == nil || *h.PassFilenames {
		t.Error("pass_filenames must be false")
	}
	// Tags of the identify library that pre-commit matches files with.
	for _, tag := range h.TypesOr {
		if !slices.Contains([]string{"terraform", "hcl", "yaml", "json"}, tag) {
			t.Errorf("types_or has %q, which no IaC format eksguard reads is tagged with", tag)
		}
	}
	if h.MinimumPreCommitVersion < "3.0.0" {
		t.Errorf("minimum_pre_commit_version %q: golang hooks need 3.0.0 (go install ./...)", h.MinimumPreCommitVersion)
	}

	examples := filepath.Join("testdata", "iac")
	for _, tt := range []struct {
		name, dir string
		code      int
	}{
		{"hardened passes", "hardened", 0},
		{"failing blocks the commit", "fail", 1},
	} {
		t.Run(tt.name, func(t *testing.T) {
			// pre-commit runs the entry, then the args, from the repository's root.
			args := append(strings.Fields(h.Entry)[1:], h.Args...)
			cmd := exec.Command(bin, args...)
			cmd.Dir = shippingCopy(t, filepath.Join(examples, tt.dir))
			out, err := cmd.CombinedOutput()
			if code := shippingExit(t, err); code != tt.code {
				t.Fatalf("%s in %s: exit %d, want %d\n%s", h.Entry, tt.dir, code, tt.code, out)
			}
			if tt.code != 0 && !strings.Contains(string(out), "FAIL") {
				t.Errorf("a failing hook should say what failed:\n%s", out)
			}
		})
	}
}

// shippingVersionStamp checks that the Dockerfile, the release and the action stamp the
// variable internal/version reads, and that stamping it changes what `eksguard version` prints.
func shippingVersionStamp(t *testing.T, bin string) {
	var gr struct {
		Version int
		Builds  []struct {
			Main, Binary string
			Env, Goos    []string
			Goarch       []string
			Flags        []string
			Ldflags      []string
		}
		Archives []struct {
			Formats         []string
			FormatOverrides []struct {
				Goos    string
				Formats []string
			} `yaml:"format_overrides"`
		}
		Sboms []map[string]any
	}
	shippingRead(t, ".goreleaser.yaml", &gr)
	if gr.Version != 2 || len(gr.Builds) != 1 {
		t.Fatalf("want version 2 and one build, got %+v", gr)
	}
	b := gr.Builds[0]
	if b.Main != "./cmd/eksguard" || !slices.Contains(b.Env, "CGO_ENABLED=0") || !slices.Contains(b.Flags, "-trimpath") {
		t.Errorf("build = %+v, want ./cmd/eksguard, CGO_ENABLED=0, -trimpath", b)
	}
	slices.Sort(b.Goos)
	slices.Sort(b.Goarch)
	if !slices.Equal(b.Goos, []string{"darwin", "linux", "windows"}) || !slices.Equal(b.Goarch, []string{"amd64", "arm64"}) {
		t.Errorf("targets %v x %v, want darwin, linux, windows x amd64, arm64", b.Goos, b.Goarch)
	}
	if len(gr.Archives) != 1 || len(gr.Archives[0].FormatOverrides) != 1 || gr.Archives[0].FormatOverrides[0].Goos != "windows" ||
		!slices.Equal(gr.Archives[0].FormatOverrides[0].Formats, []string{"zip"}) {
		t.Errorf("archives = %+v, want zip on windows", gr.Archives)
	}
	if len(gr.Sboms) == 0 {
		t.Error("no sboms section")
	}
	files := map[string]string{
		".goreleaser.yaml": strings.Join(b.Ldflags, " "),
		"Dockerfile":       shippingRead(t, "Dockerfile", nil),
		"action.yml":       shippingRead(t, "action.yml", nil),
	}
	for name, text := range files {
		if !strings.Contains(text, "-X "+versionSymbol+"=") {
			t.Errorf("%s does not stamp -X %s=...", name, versionSymbol)
		}
	}
	out, err := exec.Command(bin, "version").Output()
	if err != nil || strings.TrimSpace(string(out)) != "eksguard v9.8.7-shipping-test" {
		t.Errorf("a binary built with -X %s=v9.8.7-shipping-test prints %q (%v)", versionSymbol, out, err)
	}
}

// shippingDockerContext checks that .dockerignore lets in what the Dockerfile copies, and that
// the image runs eksguard as a non-root user.
func shippingDockerContext(t *testing.T) {
	dockerfile := shippingRead(t, "Dockerfile", nil)
	ignore := strings.Fields(shippingRead(t, ".dockerignore", nil))
	if !slices.Contains(ignore, "*") {
		t.Fatal(".dockerignore should leave out everything but what it names")
	}
	copied := 0
	for _, line := range strings.Split(dockerfile, "\n") {
		f := strings.Fields(line)
		if len(f) < 3 || f[0] != "COPY" || strings.HasPrefix(f[1], "--from") {
			continue
		}
		for _, src := range f[1 : len(f)-1] {
			copied++
			if !slices.Contains(ignore, "!"+strings.TrimSuffix(src, "/")) {
				t.Errorf("the Dockerfile copies %s, which .dockerignore leaves out", src)
			}
			if _, err := os.Stat(filepath.Join(readmeRepo(t), src)); err != nil {
				t.Errorf("the Dockerfile copies %s: %v", src, err)
			}
		}
	}
	if copied == 0 {
		t.Error("the Dockerfile copies nothing from the context")
	}
	for _, want := range []string{"CGO_ENABLED=0", "-trimpath", "USER 65532:65532", `ENTRYPOINT ["/usr/local/bin/eksguard"]`, "WORKDIR /src", "./cmd/eksguard"} {
		if !strings.Contains(dockerfile, want) {
			t.Errorf("the Dockerfile has no %q", want)
		}
	}
}

// shippingActionScript runs the action's scan step and its last step with bash, as the runner
// would, with a real eksguard.
func shippingActionScript(t *testing.T, bin string) {
	testenv.RequireTool(t, "bash")
	var a shippingAction
	shippingRead(t, "action.yml", &a)
	var scan, last string
	for _, s := range a.Runs.Steps {
		if s.ID == "scan" {
			scan = s.Run
		}
		if s.Run != "" {
			last = s.Run
		}
	}
	if scan == "" || last == scan {
		t.Fatal("the action needs a step with id scan and a last step that exits with its code")
	}
	for _, tt := range []struct {
		name                         string
		path, format, output, args   string
		code                         string
		report, sarif                string
		wantInReport, notInReportLog string
	}{
		{name: "defaults on a hardened folder", path: "hardened", format: "sarif", code: "0", report: "eksguard.sarif", sarif: "eksguard.sarif", wantInReport: `"version": "2.1.0"`},
		{name: "failures exit 1 and still upload", path: "fail", format: "sarif", code: "1", report: "eksguard.sarif", sarif: "eksguard.sarif", wantInReport: `"ruleId"`},
		{name: "format in any case", path: "fail", format: "SARIF", output: "out/r.sarif", code: "1", report: "out/r.sarif", sarif: "out/r.sarif"},
		{name: "several paths and extra args", path: "hardened\nfail", format: "sarif", args: "--controls 5.4.2 --soft-fail", code: "0", report: "eksguard.sarif", sarif: "eksguard.sarif", wantInReport: "5.4.2"},
		{name: "json to the log uploads nothing", path: "fail", format: "json", code: "1"},
		{name: "a bad flag is exit 2 and uploads nothing", path: "fail", format: "sarif", args: "--no-such-flag", code: "2", report: "eksguard.sarif"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			work := t.TempDir()
			for _, d := range []string{"hardened", "fail"} {
				if err := os.CopyFS(filepath.Join(work, d), os.DirFS(filepath.Join("testdata", "iac", d))); err != nil {
					t.Fatal(err)
				}
			}
			if tt.output != "" {
				if err := os.MkdirAll(filepath.Join(work, filepath.Dir(tt.output)), 0o755); err != nil {
					t.Fatal(err)
				}
			}
			ghOut := filepath.Join(t.TempDir(), "github-output")
			env := append(os.Environ(), "GITHUB_OUTPUT="+ghOut, "EKSGUARD="+bin, "INPUT_PATH="+tt.path,
				"INPUT_FORMAT="+tt.format, "INPUT_OUTPUT="+tt.output, "INPUT_ARGS="+tt.args, "EKSGUARD_CONFIG=/dev/null")
			cmd := exec.Command("bash", "-c", scan)
			cmd.Dir, cmd.Env = work, env
			log, err := cmd.CombinedOutput()
			if err != nil {
				t.Fatalf("the scan step itself failed: %v\n%s", err, log)
			}
			outputs := map[string]string{}
			data, _ := os.ReadFile(ghOut)
			for _, l := range strings.Split(strings.TrimSpace(string(data)), "\n") {
				k, v, _ := strings.Cut(l, "=")
				outputs[k] = v
			}
			if outputs["exit-code"] != tt.code || outputs["report"] != tt.report || outputs["sarif"] != tt.sarif {
				t.Errorf("outputs %v, want exit-code=%s report=%s sarif=%s\n%s", outputs, tt.code, tt.report, tt.sarif, log)
			}
			if tt.wantInReport != "" {
				report, err := os.ReadFile(filepath.Join(work, tt.report))
				if err != nil || !strings.Contains(string(report), tt.wantInReport) {
					t.Errorf("report %s lacks %q (%v)", tt.report, tt.wantInReport, err)
				}
			}

			exitStep := exec.Command("bash", "-c", last)
			exitStep.Env = append(os.Environ(), "RC="+outputs["exit-code"])
			out, err := exitStep.CombinedOutput()
			if got := shippingExit(t, err); strconv.Itoa(got) != tt.code {
				t.Errorf("the last step exits %d, want eksguard's %s\n%s", got, tt.code, out)
			}
		})
	}
}

// shippingCompletion checks cobra's completion command on this root: it is offered, its bash
// script loads in bash, and completing "sc" gives scan.
func shippingCompletion(t *testing.T) {
	io, _, out, errOut := iostreams.Test()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	if code := Run(ctx, []string{"__complete", "sc"}, app.New(io)); code != 0 || !strings.HasPrefix(out.String(), "scan\t") {
		t.Errorf("completing \"sc\": exit %d, %q %s", code, out, errOut)
	}
	for _, shell := range []string{"bash", "zsh", "fish", "powershell"} {
		io, _, out, errOut := iostreams.Test()
		if code := Run(ctx, []string{"completion", shell}, app.New(io)); code != 0 || !strings.Contains(out.String(), "eksguard") {
			t.Errorf("completion %s: exit %d, %d bytes\n%s", shell, code, out.Len(), errOut)
		}
		if shell != "bash" {
			continue
		}
		testenv.RequireTool(t, "bash")
		script := filepath.Join(t.TempDir(), "eksguard.bash")
		if err := os.WriteFile(script, out.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
		got, err := exec.Command("bash", "--norc", "--noprofile", "-c", `source "$1" && complete -p eksguard`, "bash", script).CombinedOutput()
		if err != nil || !strings.Contains(string(got), "-F __start_eksguard eksguard") {
			t.Errorf("the bash completion script does not load: %v\n%s", err, got)
		}
	}
}

// shippingCopy copies a folder of testdata into a temporary folder.
func shippingCopy(t *testing.T, src string) string {
	t.Helper()
	dst := filepath.Join(t.TempDir(), filepath.Base(src))
	if err := os.CopyFS(dst, os.DirFS(src)); err != nil {
		t.Fatal(err)
	}
	return dst
}

func shippingExit(t *testing.T, err error) int {
	t.Helper()
	if err == nil {
		return 0
	}
	if ee, ok := err.(*exec.ExitError); ok {
		return ee.ExitCode()
	}
	t.Fatalf("did not run: %v", err)
	return -1
}
