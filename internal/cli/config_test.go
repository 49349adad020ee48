package cli

import (
	"context"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/eksguard/eksguard/internal/app"
	"github.com/eksguard/eksguard/internal/config"
	"github.com/eksguard/eksguard/internal/iostreams"
)

// exposedTF declares one cluster with every setting left to its default: it fails every control, so
// the report's controls list shows exactly what was selected.
const exposedTF = `resource "aws_eks_cluster" "c" {
  name     = "c"
  role_arn = "arn:aws:iam::111111111111:role/r"
  vpc_config {
    subnet_ids = ["subnet-1"]
  }
}
`

// runConfig runs the CLI in-process in a fresh folder holding main.tf and, when file is not empty,
// .eksguard.yaml; env is the whole environment the CLI sees. Loading AWS configuration fails the
// test: none of these runs gets that far.
func runConfig(t *testing.T, file string, env map[string]string, args ...string) (int, string, string) {
	t.Helper()
	return runConfigIn(t, t.TempDir(), file, env, args...)
}

// runConfigIn is runConfig in dir, which may hold more files.
func runConfigIn(t *testing.T, dir, file string, env map[string]string, args ...string) (int, string, string) {
	t.Helper()
	if err := os.WriteFile(filepath.Join(dir, "main.tf"), []byte(exposedTF), 0o644); err != nil {
		t.Fatal(err)
	}
	if file != "" {
		if err := os.WriteFile(filepath.Join(dir, config.FileName), []byte(file), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	t.Chdir(dir)
	io, _, out, errOut := iostreams.Test()
	io.Getenv = func(k string) string { return env[k] }
	f := &app.Factory{IO: io, Now: time.Now, AWSConfig: func(context.Context, string) (aws.Config, error) {
		t.Error("the AWS configuration was loaded")
		return aws.Config{}, errors.New("no AWS in these tests")
	}}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	code := Run(ctx, args, f)
	return code, out.String(), errOut.String()
}

// reportControls is the controls list of a JSON report, and the controls its results are for.
func reportControls(t *testing.T, out string) ([]string, []string) {
	t.Helper()
	var r struct {
		Controls []string
		Results  []struct{ Control string }
	}
	if err := json.Unmarshal([]byte(out), &r); err != nil {
		t.Fatalf("stdout is not a JSON report: %v\n%s", err, out)
	}
	var results []string
	for _, res := range r.Results {
		if !slices.Contains(results, res.Control) {
			results = append(results, res.Control)
		}
	}
	slices.Sort(results)
	return r.Controls, results
}

func TestConfigIaC(t *testing.T) {
	tests := []struct {
		name     string
		file     string
		env      map[string]string
		args     []string
		controls []string // nil: every control
		note     string   // a part of the note on standard error; "" for none
	}{
		{"file only", "controls: [5.4.1]\nformat: json\n", nil, nil, []string{"5.4.1"}, "--controls (.eksguard.yaml:1), --format (.eksguard.yaml:2)"},
		{"environment only", "", map[string]string{"EKSGUARD_CONTROLS": "5.4.2", "EKSGUARD_FORMAT": "json"}, nil, []string{"5.4.2"}, "--controls (EKSGUARD_CONTROLS)"},
		{"environment wins over the file", "controls: [5.4.1]\nformat: json\n", map[string]string{"EKSGUARD_CONTROLS": "5.4.2"}, nil, []string{"5.4.2"}, "--controls (EKSGUARD_CONTROLS), --format (.eksguard.yaml:2)"},
		{"the command line wins over both", "controls: [5.4.1]\nformat: json\n", map[string]string{"EKSGUARD_CONTROLS": "5.4.2"}, []string{"--controls", "2.1.1"}, []string{"2.1.1"}, "--format (.eksguard.yaml:2)"},
		{"the iac section wins over the top level", "controls: [5.4.1]\nformat: json\niac:\n  controls: [5.4.2]\n", nil, nil, []string{"5.4.2"}, "--controls (.eksguard.yaml:4)"},
		{"the scan section is not iac's", "format: json\nscan:\n  controls: [5.4.2]\n  region: [us-east-1]\n", nil, nil, nil, "--format (.eksguard.yaml:1)"},
		{"an empty list in the section restores the default", "format: json\ncontrols: [5.4.1]\niac:\n  controls: []\n", nil, nil, nil, "--format (.eksguard.yaml:1)"},
		{"a list, first middle and last", "format: json\ncontrols:\n  - 5.4.2\n  - 2.1.1\n  - 5.4.1\n", nil, nil, []string{"2.1.1", "5.4.1", "5.4.2"}, "--controls (.eksguard.yaml:2)"},
		{"a comma string", "format: json\ncontrols: 5.4.1,5.4.2\n", nil, nil, []string{"5.4.1", "5.4.2"}, "--controls (.eksguard.yaml:2)"},
		{"skip-controls from the environment", "format: json\ncontrols: [5.4.1, 5.4.2]\n", map[string]string{"EKSGUARD_SKIP_CONTROLS": "5.4.2"}, nil, []string{"5.4.1"}, "--skip-controls (EKSGUARD_SKIP_CONTROLS)"},
		{"a byte order mark and CRLF", "\ufeffformat: json\r\ncontrols:\r\n  - 5.4.1\r\n", nil, nil, []string{"5.4.1"}, "--controls (.eksguard.yaml:2)"},
		{"an empty file", "\n", nil, []string{"--format", "json"}, nil, ""},
		{"--config names the file", "controls: [5.4.1]\n", nil, []string{"--config", "other.yaml"}, []string{"5.4.2"}, "--controls (other.yaml:1)"},
		{"EKSGUARD_CONFIG names the file", "controls: [5.4.1]\n", map[string]string{"EKSGUARD_CONFIG": "other.yaml"}, nil, []string{"5.4.2"}, "--controls (other.yaml:1)"},
		{"--config /dev/null reads none", "regoin: [\n", nil, []string{"--config", os.DevNull, "--format", "json"}, nil, ""},
		{"EKSGUARD_CONFIG=/dev/null reads none", "apply: true\n", map[string]string{"EKSGUARD_CONFIG": os.DevNull}, []string{"--format", "json"}, nil, ""},
		{"a bool from the file", "format: json\nterragrunt-mocks: true\n", nil, nil, nil, "--terragrunt-mocks (.eksguard.yaml:2)"},
	}
	code, out, errOut := runConfig(t, "", nil, "iac", "--format", "json")
	if code != 1 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	_, all := reportControls(t, out)
	if len(all) < 5 {
		t.Fatalf("a run without settings evaluated only %v", all)
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			// other.yaml sits beside .eksguard.yaml, which must not be read when --config names it.
			dir := t.TempDir()
			if err := os.WriteFile(filepath.Join(dir, "other.yaml"), []byte("controls: [5.4.2]\nformat: json\n"), 0o644); err != nil {
				t.Fatal(err)
			}
			code, out, errOut := runConfigIn(t, dir, tt.file, tt.env, append([]string{"iac"}, tt.args...)...)
			if code != 1 {
				t.Fatalf("exit %d, want 1 (the cluster fails)\nstderr: %s", code, errOut)
			}
			controls, results := reportControls(t, out)
			want := tt.controls
			if want == nil {
				want = all
			}
			if !slices.Equal(results, want) {
				t.Errorf("results for %v, want %v", results, want)
			}
			if tt.controls != nil && !slices.Equal(sorted(controls), want) {
				t.Errorf("report controls %v, want %v", controls, want)
			}
			switch {
			case tt.note == "" && errOut != "":
				t.Errorf("stderr %q, want nothing", errOut)
			case tt.note != "" && (!strings.HasPrefix(errOut, "eksguard: settings not from the command line: ") || !strings.Contains(errOut, tt.note)):
				t.Errorf("stderr %q, want the note with %q", errOut, tt.note)
			}
		})
	}
}

func sorted(s []string) []string {
	s = slices.Clone(s)
	slices.Sort(s)
	return s
}

func TestConfigErrors(t *testing.T) {
	tests := []struct {
		name string
		file string
		env  map[string]string
		args []string
		want string // the start of the message's first line, or start…end
	}{
		{"an unknown key", "format: json\nregoin: us-east-1\n", nil, []string{"iac"}, `eksguard: .eksguard.yaml:2: unknown key "regoin"; did you mean "region"?`},
		{"a key of another command in iac's section", "iac:\n  region: us-east-1\n", nil, []string{"iac"}, `eksguard: .eksguard.yaml:2: iac: unknown key "region": iac has no --region flag`},
		{"a list for a scalar", "format: [json]\n", nil, []string{"iac"}, `eksguard: .eksguard.yaml:1: format: a list, but iac --format takes one value (give one value, or set format in a "iac" section)`},
		{"a mapping for a flag", "skip-controls: {a: 1}\n", nil, []string{"iac"}, `eksguard: .eksguard.yaml:1: skip-controls: a mapping; a flag takes a value or a list of values`},
		{"a mapping under a command's name is its section", "controls: {a: 1}\n", nil, []string{"iac"}, `eksguard: .eksguard.yaml:1: controls: unknown key "a": controls has no --a flag`},
		{"a duplicate key", "format: json\nformat: table\n", nil, []string{"iac"}, `eksguard: .eksguard.yaml:2: format is given twice (first at line 1)`},
		{"a bool", "terragrunt-mocks: maybe\n", nil, []string{"iac"}, `eksguard: .eksguard.yaml:1: terragrunt-mocks: invalid value "maybe": want true or false`},
		{"the command refuses a value from the file", "target: sideways\n", nil, []string{"iac"}, `eksguard: --target: unknown target "sideways" (want private or restrict) (--target is from .eksguard.yaml:1)`},
		{"the command refuses a value from the environment", "", map[string]string{"EKSGUARD_FORMAT": "xml"}, []string{"iac"}, `eksguard: --format: unknown format "xml"`},
		{"an empty list from the environment is unset, a comma is not", "", map[string]string{"EKSGUARD_CONTROLS": ","}, []string{"iac"}, `eksguard: --controls: `},
		{"a missing --config", "", nil, []string{"iac", "--config", "nope.yaml"}, `eksguard: --config: no such file: nope.yaml`},
		{"an empty --config", "", nil, []string{"iac", "--config="}, `eksguard: --config: empty; name a file, or ` + os.DevNull + ` to read none`},
		{"a missing EKSGUARD_CONFIG", "", map[string]string{"EKSGUARD_CONFIG": "nope.yaml"}, []string{"iac"}, `eksguard: EKSGUARD_CONFIG: no such file: nope.yaml`},
		{"--config names a folder", "", nil, []string{"iac", "--config", "."}, `eksguard: --config: . is a folder, not a config file`},
		{"fix --apply in the file", "fix:\n  apply: true\n", nil, []string{"fix", "--cluster", "prod", "--region", "us-east-1", "--private"},
			`eksguard: .eksguard.yaml:2: fix: apply: fix --apply is only taken from the command line: it changes a live cluster`},
		{"fix --apply in the file stops iac too", "apply: true\n", nil, []string{"iac"}, `eksguard: .eksguard.yaml:1: apply: fix --apply is only taken from the command line: it changes a live cluster`},
		{"fix --yes in the file", "yes: true\n", nil, []string{"fix", "--cluster", "prod", "--private"}, `eksguard: .eksguard.yaml:1: yes: fix --yes is only taken from the command line`},
		{"fix --allow-lockout in the file", "fix:\n  allow-lockout: true\n", nil, []string{"fix"}, `eksguard: .eksguard.yaml:2: fix: allow-lockout: fix --allow-lockout is only taken from the command line`},
		{"fix --no-rollback in the file", "no-rollback: true\n", nil, []string{"iac"}, `eksguard: .eksguard.yaml:1: no-rollback: fix --no-rollback is only taken from the command line`},
		{"EKSGUARD_APPLY", "", map[string]string{"EKSGUARD_APPLY": "1"}, []string{"fix", "--cluster", "prod", "--region", "us-east-1", "--private"},
			`eksguard: EKSGUARD_APPLY: fix --apply is only taken from the command line: it changes a live cluster; unset it`},
		{"EKSGUARD_YES", "", map[string]string{"EKSGUARD_YES": "true"}, []string{"fix", "--cluster", "prod", "--private", "--apply"}, `eksguard: EKSGUARD_YES: fix --yes is only taken from the command line`},
		{"endpoint-url in the file", "scan:\n  endpoint-url: http://203.0.113.1\n", nil, []string{"scan"}, `eksguard: .eksguard.yaml:2: scan: endpoint-url: scan --endpoint-url is not read from a config file`},
		{"scan refuses a number from the file", "scan:\n  max-attempts: 0\n", nil, []string{"scan"}, `eksguard: --max-attempts must be at least 1, not 0 (--max-attempts is from .eksguard.yaml:2)`},
		{"the origin ends the first line of a long message", "scan:\n  region: us-east1\n", nil, []string{"scan"}, `eksguard: --region: "us-east1" is not an AWS region name…(--region is from .eksguard.yaml:2)`},
		{"scan refuses a number from the environment", "", map[string]string{"EKSGUARD_MAX_ATTEMPTS": "many"}, []string{"scan"}, `eksguard: EKSGUARD_MAX_ATTEMPTS: --max-attempts: invalid value "many": want a whole number`},
		{"conflicting settings name their origins", "region: [us-east-1]\n", map[string]string{"EKSGUARD_ALL_REGIONS": "true"}, []string{"scan"},
			`eksguard: --region and --all-regions cannot be used together (--region is from .eksguard.yaml:1, --all-regions is from EKSGUARD_ALL_REGIONS)`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, out, errOut := runConfig(t, tt.file, tt.env, tt.args...)
			if code != 2 {
				t.Errorf("exit %d, want 2", code)
			}
			if out != "" {
				t.Errorf("stdout %q, want nothing", out)
			}
			lines := strings.Split(strings.TrimSpace(errOut), "\n")
			var msg string
			for _, l := range lines {
				if !strings.HasPrefix(l, "eksguard: settings not from the command line") {
					msg = l
					break
				}
			}
			// "…" separates what the line starts with from what it ends with.
			start, end, _ := strings.Cut(tt.want, "…")
			if !strings.HasPrefix(msg, start) || !strings.HasSuffix(msg, end) {
				t.Errorf("stderr:\n%s\nwant a line starting\n%s", errOut, tt.want)
			}
			if hint := "Run 'eksguard " + tt.args[0] + " --help' for usage."; lines[len(lines)-1] != hint {
				t.Errorf("last line %q, want %q", lines[len(lines)-1], hint)
			}
		})
	}
}

// TestConfigBrokenFileSparesHelp: help and version work whatever the file says.
func TestConfigBrokenFileSparesHelp(t *testing.T) {
	for _, args := range [][]string{{"version"}, {"--version"}, {"--help"}, {"iac", "--help"}, {"help", "iac"}, {}} {
		t.Run(strings.Join(args, " "), func(t *testing.T) {
			code, out, errOut := runConfig(t, "regoin: [\n", map[string]string{"EKSGUARD_APPLY": "1"}, args...)
			if code != 0 || out == "" {
				t.Errorf("exit %d, stdout %q, stderr %q", code, out, errOut)
			}
		})
	}
}

// TestConfigEnvNames keeps the environment variables of every flag clear of those with other
// purposes, and fix's EKSGUARD_IP_ECHO_URL the variable of its --ip-echo-url.
func TestConfigEnvNames(t *testing.T) {
	reserved := map[string]bool{config.EnvConfig: true, "EKSGUARD_BENCH_TREE": true, "EKSGUARD_PROBE_TREAT_AS_PUBLIC": true}
	io, _, _, _ := iostreams.Test()
	root := NewRoot(app.New(io))
	seen := 0
	var walk func(c *cobra.Command)
	walk = func(c *cobra.Command) {
		names := map[string]string{}
		visit := func(f *pflag.Flag) {
			if f.Name == "help" || f.Name == config.FlagName || f.Hidden {
				return
			}
			env := config.EnvName(f.Name)
			seen++
			if reserved[env] {
				t.Errorf("%s --%s: its variable %s has another purpose", c.CommandPath(), f.Name, env)
			}
			if other, ok := names[env]; ok && other != f.Name {
				t.Errorf("%s: --%s and --%s share %s", c.CommandPath(), other, f.Name, env)
			}
			names[env] = f.Name
		}
		c.Flags().VisitAll(visit)
		c.InheritedFlags().VisitAll(visit)
		for _, sub := range c.Commands() {
			walk(sub)
		}
	}
	walk(root)
	if seen < 20 {
		t.Errorf("only %d flags seen", seen)
	}
	fix, _, err := root.Find([]string{"fix"})
	if err != nil || fix.Flags().Lookup("ip-echo-url") == nil || config.EnvName("ip-echo-url") != "EKSGUARD_IP_ECHO_URL" {
		t.Errorf("fix --ip-echo-url is not read from EKSGUARD_IP_ECHO_URL")
	}
}
