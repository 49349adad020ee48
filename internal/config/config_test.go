package config

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/spf13/cobra"

	"github.com/eksguard/eksguard/internal/cmdutil"
)

// levels is a list flag of its own kind: Set checks each value and always appends, so only Apply
// replacing the default keeps the default out of a list from the file.
type levels struct{ v *[]string }

func (l levels) Set(s string) error {
	if s != "low" && s != "high" {
		return fmt.Errorf("%q is neither low nor high", s)
	}
	*l.v = append(*l.v, s)
	return nil
}
func (l levels) String() string           { return strings.Join(*l.v, ",") }
func (l levels) Type() string             { return "levels" }
func (l levels) GetSlice() []string       { return *l.v }
func (l levels) Append(s string) error    { return l.Set(s) }
func (l levels) Replace(s []string) error { *l.v = append([]string(nil), s...); return nil }

// got is what a command saw once its flags were set.
type got struct {
	Region, Controls, Cluster, Level []string
	Format                           string
	Attempts                         int
	AllRegions                       bool
	Timeout                          time.Duration
	Rate                             float64
	Endpoint, Secret                 string
	// fix
	FixRegion, FixCluster string
	Apply, Yes            bool
	Wait                  time.Duration
}

// harness is a command tree shaped like eksguard's, with the hook cli.go installs.
type harness struct {
	env   map[string]string
	dir   string
	notes bytes.Buffer
	got   got
	ran   string
	// looked are the environment variables Apply read.
	looked []string
}

func newHarness(t *testing.T) *harness {
	t.Helper()
	return &harness{env: map[string]string{}, dir: t.TempDir()}
}

func (h *harness) root() *cobra.Command {
	g := &h.got
	root := &cobra.Command{Use: "eksguard", Version: "1.0", SilenceErrors: true, SilenceUsage: true,
		RunE: func(*cobra.Command, []string) error { h.ran = "root"; return nil }}
	AddFlag(root.PersistentFlags())
	root.PersistentPreRunE = func(cmd *cobra.Command, _ []string) error {
		_, err := Apply(cmd, Source{Getenv: func(k string) string { h.looked = append(h.looked, k); return h.env[k] }, Dir: h.dir, Notes: &h.notes})
		return err
	}
	scan := &cobra.Command{Use: "scan", Args: cobra.NoArgs, RunE: func(cmd *cobra.Command, _ []string) error {
		h.ran = "scan"
		if g.Format == "xml" {
			return cmdutil.Usagef(cmd, "--format: unknown format %q", g.Format)
		}
		return nil
	}}
	fl := scan.Flags()
	fl.StringSliceVar(&g.Region, "region", nil, "")
	fl.StringSliceVar(&g.Controls, "controls", []string{"all"}, "")
	fl.StringArrayVar(&g.Cluster, "cluster", nil, "")
	g.Level = []string{"low"}
	fl.Var(levels{&g.Level}, "level", "")
	fl.StringVarP(&g.Format, "format", "f", "table", "")
	fl.IntVar(&g.Attempts, "max-attempts", 3, "")
	fl.BoolVar(&g.AllRegions, "all-regions", false, "")
	fl.DurationVar(&g.Timeout, "request-timeout", time.Minute, "")
	fl.Float64Var(&g.Rate, "rate", 10, "")
	fl.StringVar(&g.Endpoint, "endpoint-url", "", "")
	fl.StringVar(&g.Secret, "secret", "", "")
	fl.MarkHidden("secret")

	fix := &cobra.Command{Use: "fix", Args: cobra.NoArgs, RunE: func(cmd *cobra.Command, _ []string) error {
		h.ran = "fix"
		if g.FixCluster == "bad" {
			return cmdutil.Usagef(cmd, "--cluster: %q is not a valid EKS cluster name", g.FixCluster)
		}
		return nil
	}}
	fl = fix.Flags()
	fl.StringVar(&g.FixRegion, "region", "", "")
	fl.StringVar(&g.FixCluster, "cluster", "", "")
	fl.BoolVar(&g.Apply, "apply", false, "")
	fl.BoolVarP(&g.Yes, "yes", "y", false, "")
	fl.DurationVar(&g.Wait, "wait-timeout", time.Minute, "")
	fl.StringVar(&g.Endpoint, "endpoint-url", "", "")

	controls := &cobra.Command{Use: "controls", Args: cobra.NoArgs, RunE: func(*cobra.Command, []string) error { h.ran = "controls"; return nil }}
	controls.Flags().StringVar(&g.Format, "format", "table", "")

	demo := &cobra.Command{Use: "demo", Args: cobra.NoArgs, RunE: func(*cobra.Command, []string) error { h.ran = "demo"; return nil }}
	demo.Flags().Bool("danger", false, "")
	demo.Flags().SetAnnotation("danger", AnnotationCommandLineOnly, []string{"it is dangerous"})
	demo.Flags().String("addr", "", "")
	demo.Flags().SetAnnotation("addr", AnnotationNotInFile, []string{"it is an address"})

	hidden := &cobra.Command{Use: "internal", Hidden: true, RunE: func(*cobra.Command, []string) error { h.ran = "internal"; return nil }}
	hidden.Flags().String("knob", "", "")

	version := &cobra.Command{Use: "version", Args: cobra.NoArgs, RunE: func(*cobra.Command, []string) error { h.ran = "version"; return nil }}
	root.AddCommand(scan, fix, controls, demo, hidden, version)
	cmdutil.Install(root)
	root.SetOut(io.Discard)
	root.SetErr(io.Discard)
	return root
}

// run executes the tree with args; a file is written first as .eksguard.yaml in the harness's
// folder when content is not empty.
func (h *harness) run(t *testing.T, content string, args ...string) error {
	t.Helper()
	if content != "" {
		if err := os.WriteFile(filepath.Join(h.dir, FileName), []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	root := h.root()
	root.SetArgs(args)
	return root.Execute()
}

func TestPrecedence(t *testing.T) {
	tests := []struct {
		name  string
		file  string
		env   map[string]string
		args  []string
		check func(got) any
		want  any
		note  string
	}{
		{"defaults", "", nil, []string{"scan"}, func(g got) any { return []any{g.Format, g.Attempts, g.Controls} }, []any{"table", 3, []string{"all"}}, ""},
		{"file only", "format: json\nmax-attempts: 5\n", nil, []string{"scan"}, func(g got) any { return []any{g.Format, g.Attempts} }, []any{"json", 5},
			"--format (.eksguard.yaml:1), --max-attempts (.eksguard.yaml:2)"},
		{"environment only", "", map[string]string{"EKSGUARD_FORMAT": "sarif", "EKSGUARD_MAX_ATTEMPTS": "7"}, []string{"scan"}, func(g got) any { return []any{g.Format, g.Attempts} }, []any{"sarif", 7},
			"--format (EKSGUARD_FORMAT), --max-attempts (EKSGUARD_MAX_ATTEMPTS)"},
		{"environment wins over the file", "format: json\nmax-attempts: 5\n", map[string]string{"EKSGUARD_FORMAT": "sarif"}, []string{"scan"}, func(g got) any { return []any{g.Format, g.Attempts} }, []any{"sarif", 5},
			"--format (EKSGUARD_FORMAT), --max-attempts (.eksguard.yaml:2)"},
		{"the command line wins over both", "format: json\n", map[string]string{"EKSGUARD_FORMAT": "sarif"}, []string{"scan", "-f", "table"}, func(g got) any { return g.Format }, "table", ""},
		{"the command line wins for lists", "controls: [5.4.1]\n", map[string]string{"EKSGUARD_CONTROLS": "5.4.2"}, []string{"scan", "--controls", "2.1.1"}, func(g got) any { return g.Controls }, []string{"2.1.1"}, ""},
		{"an empty variable is unset", "format: json\n", map[string]string{"EKSGUARD_FORMAT": ""}, []string{"scan"}, func(g got) any { return g.Format }, "json", "--format (.eksguard.yaml:1)"},
		{"a command's section wins over the top level", "format: json\nscan:\n  format: sarif\n", nil, []string{"scan"}, func(g got) any { return g.Format }, "sarif", "--format (.eksguard.yaml:3)"},
		{"another command's section does not apply", "format: json\ncontrols:\n  format: sarif\n", nil, []string{"scan"}, func(g got) any { return g.Format }, "json", "--format (.eksguard.yaml:1)"},
		{"the top level applies to every command with the flag", "format: json\n", nil, []string{"controls"}, func(g got) any { return g.Format }, "json", "--format (.eksguard.yaml:1)"},
		{"a null in the section restores the default", "format: json\nscan:\n  format:\n", nil, []string{"scan"}, func(g got) any { return g.Format }, "table", ""},
		{"an empty list in the section restores the default", "controls: [5.4.1]\nscan:\n  controls: []\n", nil, []string{"scan"}, func(g got) any { return g.Controls }, []string{"all"}, ""},
		{"an empty list leaves the default", "controls: []\n", nil, []string{"scan"}, func(g got) any { return g.Controls }, []string{"all"}, ""},
		{"a list replaces the default", "controls: [5.4.1, 5.4.2, 2.1.1]\n", nil, []string{"scan"}, func(g got) any { return g.Controls }, []string{"5.4.1", "5.4.2", "2.1.1"}, "--controls (.eksguard.yaml:1)"},
		{"a block list", "controls:\n  - 5.4.1\n  - 5.4.2\n", nil, []string{"scan"}, func(g got) any { return g.Controls }, []string{"5.4.1", "5.4.2"}, "--controls (.eksguard.yaml:1)"},
		{"a one-item list", "region: [us-east-1]\n", nil, []string{"scan"}, func(g got) any { return g.Region }, []string{"us-east-1"}, "--region (.eksguard.yaml:1)"},
		{"a comma string for a comma list", "controls: 5.4.1,5.4.2\n", nil, []string{"scan"}, func(g got) any { return g.Controls }, []string{"5.4.1", "5.4.2"}, "--controls (.eksguard.yaml:1)"},
		{"a comma string for a repeated flag is one value", "cluster: a,b\n", nil, []string{"scan"}, func(g got) any { return g.Cluster }, []string{"a,b"}, "--cluster (.eksguard.yaml:1)"},
		{"a list for a repeated flag", "cluster: [a, b]\n", nil, []string{"scan"}, func(g got) any { return g.Cluster }, []string{"a", "b"}, "--cluster (.eksguard.yaml:1)"},
		{"a list of a custom kind replaces its default", "level: [high, low]\n", nil, []string{"scan"}, func(g got) any { return g.Level }, []string{"high", "low"}, "--level (.eksguard.yaml:1)"},
		{"a comma variable for a comma list", "", map[string]string{"EKSGUARD_REGION": "us-east-1,eu-west-1"}, []string{"scan"}, func(g got) any { return g.Region }, []string{"us-east-1", "eu-west-1"}, "--region (EKSGUARD_REGION)"},
		{"a variable for a repeated flag is one value", "", map[string]string{"EKSGUARD_CLUSTER": "a,b"}, []string{"scan"}, func(g got) any { return g.Cluster }, []string{"a,b"}, "--cluster (EKSGUARD_CLUSTER)"},
		{"a variable replaces a custom list's default", "", map[string]string{"EKSGUARD_LEVEL": "high"}, []string{"scan"}, func(g got) any { return g.Level }, []string{"high"}, "--level (EKSGUARD_LEVEL)"},
		{"a variable replaces the file's whole list", "controls: [5.4.1, 5.4.2]\n", map[string]string{"EKSGUARD_CONTROLS": "2.1.1"}, []string{"scan"}, func(g got) any { return g.Controls }, []string{"2.1.1"}, "--controls (EKSGUARD_CONTROLS)"},
		{"bool true from the file", "all-regions: true\n", nil, []string{"scan"}, func(g got) any { return g.AllRegions }, true, "--all-regions (.eksguard.yaml:1)"},
		{"bool false from the environment over the file", "all-regions: true\n", map[string]string{"EKSGUARD_ALL_REGIONS": "false"}, []string{"scan"}, func(g got) any { return g.AllRegions }, false, "--all-regions (EKSGUARD_ALL_REGIONS)"},
		{"bool 1 from the environment", "", map[string]string{"EKSGUARD_ALL_REGIONS": "1"}, []string{"scan"}, func(g got) any { return g.AllRegions }, true, "--all-regions (EKSGUARD_ALL_REGIONS)"},
		{"bool on the command line over the file", "all-regions: true\n", nil, []string{"scan", "--all-regions=false"}, func(g got) any { return g.AllRegions }, false, ""},
		{"duration and float", "request-timeout: 90s\nrate: 2.5\n", nil, []string{"scan"}, func(g got) any { return []any{g.Timeout, g.Rate} }, []any{90 * time.Second, 2.5},
			"--rate (.eksguard.yaml:2), --request-timeout (.eksguard.yaml:1)"},
		{"a flag of another command at the top level is ignored", "wait-timeout: 5m\n", nil, []string{"scan"}, func(g got) any { return g.Wait }, time.Minute, ""},
		{"the same name as a scalar and a list", "region: us-east-1\n", nil, []string{"fix"}, func(g got) any { return g.FixRegion }, "us-east-1", "--region (.eksguard.yaml:1)"},
		{"a top-level list for a scalar is fine for the commands with a list", "region: [us-east-1, eu-west-1]\n", nil, []string{"scan"}, func(g got) any { return g.Region }, []string{"us-east-1", "eu-west-1"}, "--region (.eksguard.yaml:1)"},
		{"a key named as a command and a flag is the flag when not a mapping", "controls: [5.4.1]\n", nil, []string{"scan"}, func(g got) any { return g.Controls }, []string{"5.4.1"}, "--controls (.eksguard.yaml:1)"},
		{"an endpoint from the environment", "", map[string]string{"EKSGUARD_ENDPOINT_URL": "http://127.0.0.1:1"}, []string{"scan"}, func(g got) any { return g.Endpoint }, "http://127.0.0.1:1", "--endpoint-url (EKSGUARD_ENDPOINT_URL)"},
		{"a not-in-file flag from the environment", "", map[string]string{"EKSGUARD_ADDR": "x"}, []string{"demo"}, func(g got) any { return nil }, nil, "--addr (EKSGUARD_ADDR)"},
		{"a hidden flag is not read from the environment", "", map[string]string{"EKSGUARD_SECRET": "x"}, []string{"scan"}, func(g got) any { return g.Secret }, "", ""},
		{"a UTF-8 byte order mark and CRLF", "\ufeffformat: json\r\ncontrols:\r\n  - 5.4.1\r\n  - 5.4.2\r\n", nil, []string{"scan"}, func(g got) any { return []any{g.Format, g.Controls} }, []any{"json", []string{"5.4.1", "5.4.2"}},
			"--controls (.eksguard.yaml:2), --format (.eksguard.yaml:1)"},
		{"UTF-16 with a byte order mark", utf16LE("format: json\r\n"), nil, []string{"scan"}, func(g got) any { return g.Format }, "json", "--format (.eksguard.yaml:1)"},
		{"an anchor and an alias", "controls: &c [5.4.1]\nscan:\n  controls: *c\n", nil, []string{"scan"}, func(g got) any { return g.Controls }, []string{"5.4.1"}, "--controls (.eksguard.yaml:3)"},
		{"a document marker", "---\nformat: json\n", nil, []string{"scan"}, func(g got) any { return g.Format }, "json", "--format (.eksguard.yaml:2)"},
		{"comments only", "# format: json\n", nil, []string{"scan"}, func(g got) any { return g.Format }, "table", ""},
		{"a null document", "~\n", nil, []string{"scan"}, func(g got) any { return g.Format }, "table", ""},
		{"an empty section", "scan:\n  # format: json\n", nil, []string{"scan"}, func(g got) any { return g.Format }, "table", ""},
		{"a quoted number", "max-attempts: \"4\"\n", nil, []string{"scan"}, func(g got) any { return g.Attempts }, 4, "--max-attempts (.eksguard.yaml:1)"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := newHarness(t)
			for k, v := range tt.env {
				h.env[k] = v
			}
			if err := h.run(t, tt.file, tt.args...); err != nil {
				t.Fatalf("error: %v", err)
			}
			if got := tt.check(h.got); !reflect.DeepEqual(got, tt.want) {
				t.Errorf("got %#v, want %#v", got, tt.want)
			}
			note := strings.TrimSpace(h.notes.String())
			want := ""
			if tt.note != "" {
				want = "eksguard: settings not from the command line: " + tt.note
			}
			if note != want {
				t.Errorf("note %q, want %q", note, want)
			}
		})
	}
}

// utf16LE is s as UTF-16LE with a byte order mark (ASCII only).
func utf16LE(s string) string {
	b := []byte{0xff, 0xfe}
	for _, c := range []byte(s) {
		b = append(b, c, 0)
	}
	return string(b)
}

// TestLists checks that every item of a list reaches the flag's Set, and that a refused item is
// named at its own line whether it comes first, in the middle or last.
func TestLists(t *testing.T) {
	tests := []struct {
		name, file, want string
	}{
		{"first", "level:\n  - bad\n  - low\n  - high\n", ".eksguard.yaml:2: level: invalid value \"bad\": \"bad\" is neither low nor high"},
		{"middle", "level:\n  - low\n  - bad\n  - high\n", ".eksguard.yaml:3: level: invalid value \"bad\""},
		{"last", "level:\n  - low\n  - high\n  - bad\n", ".eksguard.yaml:4: level: invalid value \"bad\""},
		{"flow list", "level: [low, bad]\n", ".eksguard.yaml:1: level: invalid value \"bad\""},
		{"single value", "level: bad\n", ".eksguard.yaml:1: level: invalid value \"bad\""},
		{"in a section", "scan:\n  level: [low, bad]\n", ".eksguard.yaml:2: level: invalid value \"bad\""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := newHarness(t)
			err := h.run(t, tt.file, "scan")
			wantUsage(t, err, "scan", tt.want)
			if h.ran != "" {
				t.Errorf("the command ran")
			}
		})
	}
}

func wantUsage(t *testing.T, err error, command, has string) {
	t.Helper()
	var u *cmdutil.UsageError
	if !errors.As(err, &u) {
		t.Fatalf("error %v (%T), want a usage error containing %q", err, err, has)
	}
	if u.Command != command {
		t.Errorf("usage error of %q, want %q", u.Command, command)
	}
	if !strings.Contains(err.Error(), has) {
		t.Errorf("error\n%s\nwant it to contain\n%s", err, has)
	}
}

func TestFileErrors(t *testing.T) {
	tests := []struct {
		name, file string
		args       []string
		want       string
	}{
		{"unknown key", "format: json\nregoin: us-east-1\n", nil, `.eksguard.yaml:2: unknown key "regoin"; did you mean "region"?`},
		{"unknown key far from any", "xyzzy: 1\n", nil, `.eksguard.yaml:1: unknown key "xyzzy"` + "\n"},
		{"a key with dashes", "--format: json\n", nil, `.eksguard.yaml:1: unknown key "--format"; write the flag's name without dashes: "format"`},
		{"a key with underscores", "max_attempts: 2\n", nil, `.eksguard.yaml:1: unknown key "max_attempts"; did you mean "max-attempts"?`},
		{"a shorthand", "f: json\n", nil, `.eksguard.yaml:1: unknown key "f"`},
		{"a hidden flag", "secret: x\n", nil, `.eksguard.yaml:1: unknown key "secret"`},
		{"a hidden command's section", "internal:\n  knob: 1\n", nil, `.eksguard.yaml:1: unknown key "internal"`},
		{"unknown section", "sacn:\n  format: json\n", nil, `.eksguard.yaml:1: unknown key "sacn"; did you mean "scan"?`},
		{"a key in the wrong section", "scan:\n  wait-timeout: 5m\n", nil, `.eksguard.yaml:2: scan: unknown key "wait-timeout": scan has no --wait-timeout flag`},
		{"a misspelt key in a section", "fix:\n  clustr: a\n", nil, `.eksguard.yaml:2: fix: unknown key "clustr": fix has no --clustr flag; did you mean "cluster"?`},
		{"another command's section is checked too", "fix:\n  wait-timeout: soon\n  nope: 1\n", nil, `.eksguard.yaml:3: fix: unknown key "nope"`},
		{"a list for a scalar in a section", "fix:\n  region: [a, b]\n", nil, `.eksguard.yaml:2: fix: region: a list, but fix --region takes one value`},
		{"a top-level list for a scalar of the running command", "region: [us-east-1]\n", []string{"fix"}, `.eksguard.yaml:1: region: a list, but fix --region takes one value (give one value, or set region in a "fix" section)`},
		{"a mapping for a flag", "format:\n  json: true\n", nil, `.eksguard.yaml:1: format: a mapping; a flag takes a value or a list of values`},
		{"a mapping in a section", "scan:\n  format: {a: 1}\n", nil, `.eksguard.yaml:2: scan: format: a mapping; a flag takes a value or a list of values`},
		{"a list in a list", "controls:\n  - [5.4.1]\n", nil, `.eksguard.yaml:2: controls: item 1 is a list; a list holds values`},
		{"an empty item", "controls:\n  - 5.4.1\n  -\n", nil, `.eksguard.yaml:3: controls: item 2 is empty; a list holds values`},
		{"a section that is a value", "scan: 3\n", nil, `.eksguard.yaml:1: scan: a command section is a mapping of flag names to values, not a single value`},
		{"a duplicate key", "format: json\nrate: 1\nformat: table\n", nil, `.eksguard.yaml:3: format is given twice (first at line 1)`},
		{"a duplicate key in a section", "scan:\n  rate: 1\n  rate: 2\n", nil, `.eksguard.yaml:3: scan: rate is given twice (first at line 2)`},
		{"a duplicate section", "scan: {}\nscan: {}\n", nil, `.eksguard.yaml:2: scan is given twice (first at line 1)`},
		{"a merge key", "base: &b {format: json}\nscan:\n  <<: *b\n", nil, `.eksguard.yaml:1: unknown key "base"`},
		{"a merge key alone", "scan:\n  <<: {format: json}\n", nil, `.eksguard.yaml:2: scan: merge keys (<<) are not supported`},
		{"a list key", "? [a]\n: 1\n", nil, `.eksguard.yaml:1: a key is a list; keys are flag or command names`},
		{"a list document", "- format\n- json\n", nil, `.eksguard.yaml:1: the file is a list; a config file is a mapping`},
		{"a scalar document", "format json\n", nil, `.eksguard.yaml:1: the file is a single value; a config file is a mapping`},
		{"two documents", "format: json\n---\nrate: 1\n", nil, `.eksguard.yaml:2: a second YAML document; a config file is one mapping`},
		{"a syntax error", "format: json\ncontrols: [5.4.1\n", nil, `.eksguard.yaml:2: did not find expected ',' or ']'`},
		{"a syntax error on the first line", "controls: [5.4.1\n", nil, `.eksguard.yaml:1: did not find expected ',' or ']'`},
		{"a syntax error further down", "format: json\n\n\nrate: 1\ncontrols: {a: 1\n", nil, `.eksguard.yaml:5: did not find expected ',' or '}'`},
		{"a scanner error", "format: json\nrate: \"1\n", nil, `.eksguard.yaml:2: found unexpected end of stream`},
		{"a tab in the indentation", "scan:\n\tformat: json\n", nil, `.eksguard.yaml:2: found character that cannot start any token`},
		{"a tab first", "\tformat: json\n", nil, `.eksguard.yaml:1: found character that cannot start any token`},
		{"invalid UTF-8", "format: json\nrate: \xff\n", nil, `.eksguard.yaml:2: not UTF-8 text; save the file as UTF-8`},
		{"a control character", "format: json\n\nrate: 1\x1b\n", nil, `.eksguard.yaml:3: a control character (U+001B); YAML does not allow it`},
		{"a NUL byte", "format: json\x00\n", nil, `.eksguard.yaml:1: encrypted or binary file, not read`},
		{"help", "help: true\n", nil, `.eksguard.yaml:1: help: help is not a setting`},
		{"version", "version: true\n", nil, `.eksguard.yaml:1: version: version is not a setting`},
		{"config", "config: other.yaml\n", nil, `.eksguard.yaml:1: config: a config file cannot name another; use --config or EKSGUARD_CONFIG`},
		{"help in a section", "scan:\n  help: true\n", nil, `.eksguard.yaml:2: scan: help: help is not a setting`},
		{"fix --apply at the top level", "apply: true\n", nil, `.eksguard.yaml:1: apply: fix --apply is only taken from the command line: it changes a live cluster`},
		{"fix --apply in its section", "fix:\n  cluster: prod\n  apply: true\n", []string{"fix", "--cluster", "prod"}, `.eksguard.yaml:3: fix: apply: fix --apply is only taken from the command line: it changes a live cluster`},
		{"fix --apply false is refused too", "fix:\n  apply: false\n", nil, `fix --apply is only taken from the command line`},
		{"fix --yes", "fix:\n  yes: true\n", nil, `.eksguard.yaml:2: fix: yes: fix --yes is only taken from the command line: it skips the confirmation`},
		{"an annotated flag", "demo:\n  danger: true\n", nil, `.eksguard.yaml:2: demo: danger: demo --danger is only taken from the command line: it is dangerous`},
		{"a not-in-file annotated flag", "addr: x\n", nil, `.eksguard.yaml:1: addr: demo --addr is not read from a config file: it is an address`},
		{"endpoint-url of several commands", "endpoint-url: http://x\n", nil, `.eksguard.yaml:1: endpoint-url: --endpoint-url is not read from a config file: a file could send your signed AWS requests`},
		{"endpoint-url in a section", "scan:\n  endpoint-url: http://x\n", nil, `.eksguard.yaml:2: scan: endpoint-url: scan --endpoint-url is not read from a config file`},
		{"an int", "max-attempts: x\n", nil, `.eksguard.yaml:1: max-attempts: invalid value "x": want a whole number`},
		{"an int out of range", "max-attempts: 99999999999999999999\n", nil, `.eksguard.yaml:1: max-attempts: invalid value "99999999999999999999": out of range`},
		{"a float", "rate: fast\n", nil, `.eksguard.yaml:1: rate: invalid value "fast": want a number`},
		{"a duration", "request-timeout: 30\n", nil, `.eksguard.yaml:1: request-timeout: invalid value "30": want a duration such as 90s, 5m or 1h30m`},
		{"a bool", "all-regions: yes\n", nil, `.eksguard.yaml:1: all-regions: invalid value "yes": want true or false`},
		{"a bool in a list", "all-regions: [true]\n", nil, `.eksguard.yaml:1: all-regions: a list, but scan --all-regions takes one value`},
		{"several problems, each named", "regoin: a\nscan:\n  nope: 1\n", nil, ".eksguard.yaml:1: unknown key \"regoin\"; did you mean \"region\"?\n.eksguard.yaml:3: scan: unknown key \"nope\""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := newHarness(t)
			args := tt.args
			if args == nil {
				args = []string{"scan"}
			}
			err := h.run(t, tt.file, args...)
			if !strings.HasSuffix(tt.want, "\n") {
				wantUsage(t, err, args[0], tt.want)
			} else {
				wantUsage(t, err, args[0], strings.TrimSuffix(tt.want, "\n"))
				if strings.Contains(err.Error(), "did you mean") {
					t.Errorf("suggestion for a key near nothing: %v", err)
				}
			}
			if h.ran != "" {
				t.Errorf("%s ran", h.ran)
			}
		})
	}
}

// TestTopLevelSharedKeys: a top-level key that fits some commands but not the one running is shared
// configuration, so it is ignored; a section key that does not fit its command is an error.
func TestTopLevelSharedKeys(t *testing.T) {
	h := newHarness(t)
	if err := h.run(t, "region: [us-east-1, eu-west-1]\nwait-timeout: 5m\n", "scan"); err != nil {
		t.Fatalf("scan: %v", err)
	}
	// The same file is wrong for fix, whose --region takes one value.
	h = newHarness(t)
	wantUsage(t, h.run(t, "region: [us-east-1, eu-west-1]\nwait-timeout: 5m\n", "fix"), "fix", "region: a list, but fix --region takes one value")
}

func TestEnvironment(t *testing.T) {
	tests := []struct {
		name    string
		env     map[string]string
		args    []string
		wantErr string
	}{
		{"--apply is refused", map[string]string{"EKSGUARD_APPLY": "1"}, []string{"fix"}, "EKSGUARD_APPLY: fix --apply is only taken from the command line: it changes a live cluster; unset it"},
		{"--apply is refused even with --apply typed", map[string]string{"EKSGUARD_APPLY": "true"}, []string{"fix", "--apply"}, "EKSGUARD_APPLY: fix --apply is only taken from the command line"},
		{"--yes is refused", map[string]string{"EKSGUARD_YES": "1"}, []string{"fix"}, "EKSGUARD_YES: fix --yes is only taken from the command line"},
		{"an annotated flag is refused", map[string]string{"EKSGUARD_DANGER": "1"}, []string{"demo"}, "EKSGUARD_DANGER: demo --danger is only taken from the command line: it is dangerous"},
		{"--apply of fix is not scan's business", map[string]string{"EKSGUARD_APPLY": "1"}, []string{"scan"}, ""},
		{"unknown variables are ignored", map[string]string{"EKSGUARD_NOPE": "1", "EKSGUARD_PROBE_TREAT_AS_PUBLIC": "1", "EKSGUARD_IP_ECHO_URL": "x"}, []string{"scan"}, ""},
		{"an int", map[string]string{"EKSGUARD_MAX_ATTEMPTS": "x"}, []string{"scan"}, `EKSGUARD_MAX_ATTEMPTS: --max-attempts: invalid value "x": want a whole number`},
		{"a bool", map[string]string{"EKSGUARD_ALL_REGIONS": "yes"}, []string{"scan"}, `EKSGUARD_ALL_REGIONS: --all-regions: invalid value "yes": want true or false`},
		{"a custom list", map[string]string{"EKSGUARD_LEVEL": "low,bad"}, []string{"scan"}, `EKSGUARD_LEVEL: --level: invalid value "low,bad"`},
		{"a bad value is not read when the flag is typed", map[string]string{"EKSGUARD_MAX_ATTEMPTS": "x"}, []string{"scan", "--max-attempts", "2"}, ""},
		{"several problems", map[string]string{"EKSGUARD_MAX_ATTEMPTS": "x", "EKSGUARD_RATE": "y"}, []string{"scan"},
			"EKSGUARD_MAX_ATTEMPTS: --max-attempts: invalid value \"x\": want a whole number\nEKSGUARD_RATE: --rate: invalid value \"y\": want a number"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := newHarness(t)
			h.env = tt.env
			err := h.run(t, "", tt.args...)
			if tt.wantErr == "" {
				if err != nil {
					t.Fatalf("error: %v", err)
				}
				return
			}
			wantUsage(t, err, tt.args[0], tt.wantErr)
		})
	}
}

// TestEnvironmentNames checks which variables are read: those of the running command's settings and
// EKSGUARD_CONFIG, nothing else (so variables with other purposes are never taken for flags).
func TestEnvironmentNames(t *testing.T) {
	h := newHarness(t)
	if err := h.run(t, "", "fix"); err != nil {
		t.Fatal(err)
	}
	slices.Sort(h.looked)
	want := []string{"EKSGUARD_APPLY", "EKSGUARD_CLUSTER", "EKSGUARD_CONFIG", "EKSGUARD_ENDPOINT_URL", "EKSGUARD_REGION", "EKSGUARD_WAIT_TIMEOUT", "EKSGUARD_YES"}
	if !slices.Equal(h.looked, want) {
		t.Errorf("read %v, want %v", h.looked, want)
	}
	for _, tt := range []struct{ flag, env string }{
		{"region", "EKSGUARD_REGION"}, {"skip-controls", "EKSGUARD_SKIP_CONTROLS"}, {"fail-on", "EKSGUARD_FAIL_ON"}, {"x", "EKSGUARD_X"},
	} {
		if got := EnvName(tt.flag); got != tt.env {
			t.Errorf("EnvName(%q) = %q, want %q", tt.flag, got, tt.env)
		}
	}
}

func TestLocate(t *testing.T) {
	good := "format: json\n"
	tests := []struct {
		name string
		// setup writes files in dir and returns the arguments (after the command) and the environment.
		setup   func(t *testing.T, dir string) ([]string, map[string]string)
		format  string
		wantErr string
		note    string
	}{
		{"the current folder's file", func(t *testing.T, dir string) ([]string, map[string]string) {
			write(t, dir, FileName, good)
			return nil, nil
		}, "json", "", ""},
		{"no file", func(t *testing.T, dir string) ([]string, map[string]string) { return nil, nil }, "table", "", ""},
		{"a parent folder's file is not read", func(t *testing.T, dir string) ([]string, map[string]string) {
			write(t, filepath.Dir(dir), FileName, good)
			return nil, nil
		}, "table", "", ""},
		{".eksguard.yml is not read, and the note says so", func(t *testing.T, dir string) ([]string, map[string]string) {
			write(t, dir, ".eksguard.yml", good)
			return nil, nil
		}, "table", "", "eksguard: .eksguard.yml is not read; name it .eksguard.yaml\n"},
		{".eksguard.yml beside .eksguard.yaml", func(t *testing.T, dir string) ([]string, map[string]string) {
			write(t, dir, ".eksguard.yml", "format: sarif\n")
			write(t, dir, FileName, good)
			return nil, nil
		}, "json", "", "eksguard: settings not from the command line: --format (.eksguard.yaml:1)\n"},
		{"a link to nothing", func(t *testing.T, dir string) ([]string, map[string]string) {
			if err := os.Symlink(filepath.Join(dir, "gone.yaml"), filepath.Join(dir, FileName)); err != nil {
				t.Fatal(err)
			}
			return nil, nil
		}, "", FileName + ": no such file or directory", ""},
		{"a link to a file", func(t *testing.T, dir string) ([]string, map[string]string) {
			if err := os.Symlink(write(t, dir, "real.yaml", good), filepath.Join(dir, FileName)); err != nil {
				t.Fatal(err)
			}
			return nil, nil
		}, "json", "", "eksguard: settings not from the command line: --format (.eksguard.yaml:1)\n"},
		{"--config", func(t *testing.T, dir string) ([]string, map[string]string) {
			write(t, dir, FileName, "format: table\n")
			return []string{"--config", write(t, dir, "other.yaml", good)}, nil
		}, "json", "", ""},
		{"--config=", func(t *testing.T, dir string) ([]string, map[string]string) {
			return []string{"--config="}, nil
		}, "", "--config: empty; name a file, or " + os.DevNull + " to read none", ""},
		{"--config of a missing file", func(t *testing.T, dir string) ([]string, map[string]string) {
			return []string{"--config", filepath.Join(dir, "nope.yaml")}, nil
		}, "", "--config: no such file: {dir}/nope.yaml", ""},
		{"--config of a folder", func(t *testing.T, dir string) ([]string, map[string]string) {
			return []string{"--config", dir}, nil
		}, "", "--config: {dir} is a folder, not a config file", ""},
		{"--config of /dev/null reads none", func(t *testing.T, dir string) ([]string, map[string]string) {
			write(t, dir, FileName, "broken: [\n")
			return []string{"--config", os.DevNull}, nil
		}, "table", "", ""},
		{"EKSGUARD_CONFIG", func(t *testing.T, dir string) ([]string, map[string]string) {
			write(t, dir, FileName, "format: table\n")
			return nil, map[string]string{EnvConfig: write(t, dir, "env.yaml", good)}
		}, "json", "", ""},
		{"EKSGUARD_CONFIG of a missing file", func(t *testing.T, dir string) ([]string, map[string]string) {
			return nil, map[string]string{EnvConfig: filepath.Join(dir, "nope.yaml")}
		}, "", "EKSGUARD_CONFIG: no such file: ", ""},
		{"EKSGUARD_CONFIG of /dev/null reads none", func(t *testing.T, dir string) ([]string, map[string]string) {
			write(t, dir, FileName, "broken: [\n")
			return nil, map[string]string{EnvConfig: os.DevNull}
		}, "table", "", ""},
		{"--config wins over EKSGUARD_CONFIG", func(t *testing.T, dir string) ([]string, map[string]string) {
			return []string{"--config", write(t, dir, "flag.yaml", good)}, map[string]string{EnvConfig: filepath.Join(dir, "nope.yaml")}
		}, "json", "", ""},
		{"an empty EKSGUARD_CONFIG is unset", func(t *testing.T, dir string) ([]string, map[string]string) {
			write(t, dir, FileName, good)
			return nil, map[string]string{EnvConfig: ""}
		}, "json", "", ""},
		{"the current folder's file is a folder", func(t *testing.T, dir string) ([]string, map[string]string) {
			if err := os.Mkdir(filepath.Join(dir, FileName), 0o755); err != nil {
				t.Fatal(err)
			}
			return nil, nil
		}, "", FileName + " is a folder, not a config file", ""},
		{"an empty file", func(t *testing.T, dir string) ([]string, map[string]string) {
			write(t, dir, FileName, "")
			return nil, nil
		}, "table", "", ""},
		{"a file over the limit", func(t *testing.T, dir string) ([]string, map[string]string) {
			write(t, dir, FileName, "# "+strings.Repeat("x", MaxFileSize)+"\n")
			return nil, nil
		}, "", FileName + " is over the 1.0 MiB limit of a config file", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := newHarness(t)
			h.dir = filepath.Join(t.TempDir(), "work")
			if err := os.Mkdir(h.dir, 0o755); err != nil {
				t.Fatal(err)
			}
			args, env := tt.setup(t, h.dir)
			h.env = env
			err := h.run(t, "", append([]string{"scan"}, args...)...)
			if tt.wantErr != "" {
				wantUsage(t, err, "scan", strings.ReplaceAll(tt.wantErr, "{dir}", h.dir))
				return
			}
			if err != nil {
				t.Fatalf("error: %v", err)
			}
			if h.got.Format != tt.format {
				t.Errorf("format %q, want %q", h.got.Format, tt.format)
			}
			if tt.note != "" && h.notes.String() != tt.note {
				t.Errorf("notes %q, want %q", h.notes.String(), tt.note)
			}
		})
	}
}

func TestUnreadableFile(t *testing.T) {
	if os.Getuid() == 0 {
		t.Skip("root reads every file") // not a missing tool: the permission model does not apply
	}
	h := newHarness(t)
	p := write(t, h.dir, FileName, "format: json\n")
	if err := os.Chmod(p, 0); err != nil {
		t.Fatal(err)
	}
	wantUsage(t, h.run(t, "", "scan"), "scan", FileName+": permission denied")
}

func write(t *testing.T, dir, name, content string) string {
	t.Helper()
	p := filepath.Join(dir, name)
	if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

// TestNoSettings: commands without a setting never read the file, so a broken one cannot stop
// version, help or the bare root; hidden commands do not read it either.
func TestNoSettings(t *testing.T) {
	for _, args := range [][]string{{"version"}, {}, {"internal"}, {"help"}} {
		t.Run(strings.Join(append([]string{"eksguard"}, args...), " "), func(t *testing.T) {
			h := newHarness(t)
			h.env = map[string]string{"EKSGUARD_KNOB": "x"}
			if err := h.run(t, "regoin: [\n", args...); err != nil {
				t.Fatalf("error: %v", err)
			}
			if h.notes.Len() != 0 {
				t.Errorf("notes: %q", h.notes.String())
			}
		})
	}
	// The same file stops a command with settings.
	h := newHarness(t)
	wantUsage(t, h.run(t, "regoin: [\n", "controls"), "controls", ".eksguard.yaml:")
}

// TestErrorsNameOrigins: when the command refuses a value it did not get from its command line, the
// message says where the value came from.
func TestErrorsNameOrigins(t *testing.T) {
	tests := []struct {
		name string
		file string
		env  map[string]string
		args []string
		want string
	}{
		{"from the file", "fix:\n  cluster: bad\n", nil, []string{"fix"}, `--cluster: "bad" is not a valid EKS cluster name (--cluster is from .eksguard.yaml:2)`},
		{"from the environment", "", map[string]string{"EKSGUARD_CLUSTER": "bad"}, []string{"fix"}, `--cluster: "bad" is not a valid EKS cluster name (--cluster is from EKSGUARD_CLUSTER)`},
		{"from the command line", "fix:\n  region: us-east-1\n", nil, []string{"fix", "--cluster", "bad"}, `--cluster: "bad" is not a valid EKS cluster name`},
		{"a flag named within another's name", "format: xml\nfix:\n  region: us-east-1\n", nil, []string{"scan"}, `--format: unknown format "xml" (--format is from .eksguard.yaml:1)`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := newHarness(t)
			h.env = tt.env
			err := h.run(t, tt.file, tt.args...)
			wantUsage(t, err, tt.args[0], tt.want)
			if strings.Count(err.Error(), " is from ") != strings.Count(tt.want, " is from ") {
				t.Errorf("origins in %q, want those of %q", err, tt.want)
			}
		})
	}
}

func TestWithOrigins(t *testing.T) {
	settings := []Setting{{"region", "EKSGUARD_REGION"}, {"all-regions", ".eksguard.yaml:3"}, {"rate", ".eksguard.yaml:4"}}
	for _, tt := range []struct{ err, want string }{
		{"--region: bad", "--region: bad (--region is from EKSGUARD_REGION)"},
		{"--all-regions and --region conflict", "--all-regions and --region conflict (--all-regions is from .eksguard.yaml:3, --region is from EKSGUARD_REGION)"},
		{"--region: bad\nregions:\n  us-east-1", "--region: bad (--region is from EKSGUARD_REGION)\nregions:\n  us-east-1"},
		{"first line\n--rate in the details", "first line (--rate is from .eksguard.yaml:4)\n--rate in the details"},
		{"--format: bad", "--format: bad"},
		{"--regions: bad", "--regions: bad"},
	} {
		inner := &cmdutil.UsageError{Err: errors.New(tt.err), Command: "scan"}
		err := withOrigins(inner, settings)
		if err.Error() != tt.want {
			t.Errorf("%q: got %q, want %q", tt.err, err, tt.want)
		}
		if u := (*cmdutil.UsageError)(nil); !errors.As(err, &u) || u != inner {
			t.Errorf("%q: the usage error is lost", tt.err)
		}
	}
	if withOrigins(nil, settings) != nil {
		t.Error("nil became an error")
	}
}

func TestMentions(t *testing.T) {
	for _, tt := range []struct {
		msg, flag string
		want      int
	}{
		{"--region: bad", "--region", 0},
		{"bad --region", "--region", 4},
		{"--region-name: bad", "--region", -1},
		{"--regions: bad", "--region", -1},
		{"--region_x and --region.", "--region", 15},
		{"--region-x and --region", "--region", 15},
		{"no flag", "--region", -1},
		{"", "--region", -1},
	} {
		if got := mentions(tt.msg, tt.flag); got != tt.want {
			t.Errorf("mentions(%q, %q) = %d, want %d", tt.msg, tt.flag, got, tt.want)
		}
	}
}

func TestSuggest(t *testing.T) {
	names := []string{"controls", "format", "region", "skip-controls"}
	for _, tt := range []struct{ key, want string }{
		{"regoin", `; did you mean "region"?`},
		{"Region", `; did you mean "region"?`},
		{"skip_controls", `; did you mean "skip-controls"?`},
		{"--format", `; write the flag's name without dashes: "format"`},
		{"-format", `; write the flag's name without dashes: "format"`},
		{"--formt", `; did you mean "format"?`},
		{"xyzzy", ""},
		{"", ""},
	} {
		if got := suggest(tt.key, names); got != tt.want {
			t.Errorf("suggest(%q) = %q, want %q", tt.key, got, tt.want)
		}
	}
}
