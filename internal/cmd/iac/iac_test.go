package iac

import (
	"context"
	"errors"
	"io"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"

	"github.com/eksguard/eksguard/internal/app"
	"github.com/eksguard/eksguard/internal/benchmark"
	"github.com/eksguard/eksguard/internal/check"
	"github.com/eksguard/eksguard/internal/cmdutil"
	"github.com/eksguard/eksguard/internal/exit"
	"github.com/eksguard/eksguard/internal/finding"
	"github.com/eksguard/eksguard/internal/iostreams"
	"github.com/eksguard/eksguard/internal/model"
	iacsrc "github.com/eksguard/eksguard/internal/source/iac"
)

func TestValidate(t *testing.T) {
	dir := t.TempDir()
	for name, text := range map[string]string{
		"prod.tfvars":      "x = 1\n",
		"prod.json":        `[{"ParameterKey": "PublicEndpoint", "ParameterValue": "false"}]`,
		"prod-config.json": `{"Parameters": {"PublicEndpoint": "false"}, "Tags": {"team": "platform"}}`,
		"trailing.json":    "[\n  {\"ParameterKey\": \"PublicEndpoint\", \"ParameterValue\": \"false\",}\n]\n",
		"flat.json":        `{"PublicEndpoint": "false"}`,
	} {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	ok := func(o Options) Options {
		if o.Format == "" {
			o.Format = "table"
		}
		if o.Target == "" {
			o.Target = check.TargetPrivate
		}
		o.Paths = []string{"."}
		o.Dir = dir
		return o
	}
	tests := []struct {
		name string
		o    Options
		err  string
	}{
		{name: "defaults", o: ok(Options{})},
		{name: "every format", o: ok(Options{Format: "sarif"})},
		{name: "patch", o: ok(Options{Format: "patch"})},
		{name: "unknown format", o: ok(Options{Format: "xml"}), err: `--format: unknown format "xml" (want one of: table, json, sarif, patch, junit, csv, markdown, html, ocsf)`},
		{name: "asff is for live clusters", o: ok(Options{Format: "asff"}), err: `--format: asff needs live clusters (an account and an ARN for each finding); use it with eksguard scan`},
		{name: "no paths", o: Options{Format: "table", Target: "private"}, err: "name at least one file or folder"},
		{name: "restrict with cidrs", o: ok(Options{Target: "restrict", CIDRs: []string{"203.0.113.0/24", "2001:db8:1::/48"}})},
		{name: "restrict without cidr", o: ok(Options{Target: "restrict"}), err: "--target restrict needs --cidr"},
		{name: "private with cidr", o: ok(Options{CIDRs: []string{"203.0.113.0/24"}}), err: "--cidr applies to --target restrict"},
		{name: "unknown target", o: ok(Options{Target: "public"}), err: `--target: unknown target "public"`},
		{name: "host bits", o: ok(Options{Target: "restrict", CIDRs: []string{"203.0.113.7/24"}}), err: `"203.0.113.7/24" has host bits set; the block is 203.0.113.0/24`},
		{name: "not a block", o: ok(Options{Target: "restrict", CIDRs: []string{"203.0.113.7"}}), err: `"203.0.113.7" is not a CIDR block`},
		{name: "spaces are not trimmed", o: ok(Options{Target: "restrict", CIDRs: []string{" 203.0.113.0/24"}}), err: "is not a CIDR block"},
		{name: "the world", o: ok(Options{Target: "restrict", CIDRs: []string{"0.0.0.0/0"}}), err: "admit the whole internet"},
		{name: "the world in halves", o: ok(Options{Target: "restrict", CIDRs: []string{"0.0.0.0/1", "128.0.0.0/1"}}), err: "admit the whole internet"},
		{name: "private range", o: ok(Options{Target: "restrict", CIDRs: []string{"10.0.0.0/8"}}), err: "no internet client comes from"},
		{name: "duplicate", o: ok(Options{Target: "restrict", CIDRs: []string{"203.0.113.0/24", "203.0.113.0/24"}}), err: "listed twice"},
		{name: "var file relative to the working directory", o: ok(Options{VarFiles: []string{"prod.tfvars"}})},
		{name: "missing var file", o: ok(Options{VarFiles: []string{"nope.tfvars"}}), err: "--var-file: no such file: nope.tfvars"},
		{name: "var file is a folder", o: ok(Options{VarFiles: []string{"."}}), err: "is a folder"},
		{name: "vars", o: ok(Options{Vars: []string{"env=prod", "cidrs=[\"203.0.113.0/24\"]", "empty=", "with-dash=x=y"}})},
		{name: "var without =", o: ok(Options{Vars: []string{"env"}}), err: `--var: "env" is not NAME=VALUE`},
		{name: "var without name", o: ok(Options{Vars: []string{"=x"}}), err: `--var: "=x" is not NAME=VALUE`},
		{name: "var with a bad name", o: ok(Options{Vars: []string{"1env=x"}}), err: `--var: "1env=x" is not NAME=VALUE`},
		{name: "cf-params list and template configuration", o: ok(Options{CFParams: []string{"prod.json", "prod-config.json"}})},
		{name: "missing cf-params file", o: ok(Options{CFParams: []string{"nope.json"}}), err: "--cf-params: no such file: nope.json"},
		{name: "cf-params is a folder", o: ok(Options{CFParams: []string{"."}}), err: "--cf-params: . is a folder"},
		{name: "malformed cf-params names file, line and column", o: ok(Options{CFParams: []string{"trailing.json"}}), err: "trailing.json:2:64: not valid JSON"},
		{name: "flat object is refused", o: ok(Options{CFParams: []string{"flat.json"}}), err: `flat.json:1:2: unknown member "PublicEndpoint"`},
		{name: "cf-params file as the report", o: ok(Options{CFParams: []string{"prod.json"}, Output: "prod.json"}), err: "an input of this scan"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.o.Validate()
			switch {
			case tt.err == "" && err != nil:
				t.Fatalf("err = %v", err)
			case tt.err != "" && (err == nil || !strings.Contains(err.Error(), tt.err)):
				t.Fatalf("err = %v, want %q", err, tt.err)
			}
		})
	}
	o := ok(Options{Vars: []string{"env=dev", "env=prod", "x=a=b"}, Controls: []string{"5.4"}, CFParams: []string{"prod.json"}})
	before := o
	before.Vars = append([]string(nil), o.Vars...)
	before.CFParams = append([]string(nil), o.CFParams...)
	if err := o.Validate(); err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(o, before) {
		t.Errorf("Validate changed the options:\n%+v\nwas\n%+v", o, before)
	}
	vars, err := parseVars(o.Vars)
	if err != nil || vars["env"] != "prod" || vars["x"] != "a=b" {
		t.Errorf("vars = %v (%v); the last assignment wins and the value keeps its '='", vars, err)
	}
}

// TestCommand runs the command's flag handling with Run replaced: what reaches Run, and the flags
// refused before it.
func TestCommand(t *testing.T) {
	t.Chdir(t.TempDir())
	tests := []struct {
		name string
		args []string
		err  string
		want func(*Options) bool
	}{
		{name: "paths and lists", args: []string{"a", "b", "--controls", "5.4.1,eks-audit-logging", "--controls", "5.3", "--skip-controls", "5.4.2", "--target", "restrict", "--cidr", "203.0.113.0/24,198.51.100.0/24"},
			want: func(o *Options) bool {
				return reflect.DeepEqual(o.Paths, []string{"a", "b"}) && reflect.DeepEqual(o.Controls, []string{"5.4.1", "eks-audit-logging", "5.3"}) &&
					reflect.DeepEqual(o.SkipControls, []string{"5.4.2"}) && reflect.DeepEqual(o.CIDRs, []string{"203.0.113.0/24", "198.51.100.0/24"})
			}},
		{name: "no path is the current folder", args: []string{"-f", "SARIF", "-o", "-"}, want: func(o *Options) bool {
			return reflect.DeepEqual(o.Paths, []string{"."}) && o.Format == "sarif" && o.Output == ""
		}},
		{name: "empty --cidr", args: []string{".", "--target", "restrict", "--cidr", ""}, err: "--cidr: empty"},
		{name: "empty --controls", args: []string{".", "--controls", ""}, err: "--controls: empty"},
		{name: "empty --skip-controls", args: []string{".", "--skip-controls="}, err: "--skip-controls: empty"},
		{name: "unknown control", args: []string{".", "--controls", "5.4.9"}, err: "5.4.9"},
		{name: "every control skipped", args: []string{".", "--controls", "5.4.1", "--skip-controls", "5.4"}, err: "no control"},
		{name: "bad key", args: []string{".", "--kms-key-arn", "alias/eks"}, err: "--kms-key-arn"},
		{name: "empty --var-file", args: []string{".", "--var-file", ""}, err: "--var-file: empty"},
		{name: "empty --cf-params", args: []string{".", "--cf-params="}, err: "--cf-params: empty"},
		{name: "empty --pulumi-stack", args: []string{".", "--pulumi-stack", " "}, err: "--pulumi-stack: empty"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ios, _, _, _ := iostreams.Test()
			var got *Options
			err := cmdutil.ExecuteUnder(NewCmd(&app.Factory{IO: ios, Now: time.Now}, func(_ context.Context, o *Options) error { got = o; return nil }), tt.args...)
			if tt.err != "" {
				if err == nil || !strings.Contains(err.Error(), tt.err) {
					t.Fatalf("err = %v, want %q", err, tt.err)
				}
				if got != nil {
					t.Error("Run was called after a usage error")
				}
				return
			}
			if err != nil || got == nil {
				t.Fatalf("err = %v, run called: %v", err, got != nil)
			}
			if !tt.want(got) {
				t.Errorf("options = %+v", got)
			}
		})
	}
}

// cluster is an open cluster decided by defaults, at file:line.
func openCluster(name string) *model.Cluster {
	return &model.Cluster{Name: name, Source: model.SourceTerraform, Loc: &model.Location{File: "main.tf", Line: 3},
		EndpointPublicAccess: model.Default(true, "AWS provider default"), EndpointPrivateAccess: model.Default(false, "AWS provider default"),
		PublicAccessCIDRs: model.Strings{Values: []string{"0.0.0.0/0"}, Origin: model.OriginDefault}}
}

func restrictedCluster(name string) *model.Cluster {
	return &model.Cluster{Name: name, Source: model.SourceTerraform, Loc: &model.Location{File: "main.tf", Line: 3},
		EndpointPublicAccess: model.Explicit(true), EndpointPrivateAccess: model.Explicit(true), PublicAccessCIDRs: model.ExplicitList("198.51.100.0/24")}
}

// endpointOnly is the benchmark restricted to the endpoint controls, so these tests see only them.
func endpointOnly(t *testing.T) *benchmark.Benchmark {
	b, err := benchmark.Default().Select([]string{"5.4"}, nil)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestAttachFix(t *testing.T) {
	edit := &finding.Fix{Description: "set endpoint_public_access = false", Edits: []finding.Edit{{File: "main.tf", Line: 4, Remove: 1, Insert: []string{"x"}}}}
	private := check.Options{Endpoint: check.TargetPrivate}
	restrict := check.Options{Endpoint: check.TargetRestrict, CIDRs: []string{"203.0.113.0/24"}}
	toPrivate := model.Settings{EndpointPrivateAccess: model.Ptr(true), EndpointPublicAccess: model.Ptr(false)}
	toRestrict := model.Settings{EndpointPrivateAccess: model.Ptr(true), EndpointPublicAccess: model.Ptr(true), PublicAccessCIDRs: []string{"203.0.113.0/24"}}
	type want struct {
		fix         bool
		remediation string
	}
	tests := []struct {
		name    string
		cluster *model.Cluster
		opts    check.Options
		// settings are what the adapter is asked to write (only what the cluster lacks).
		settings model.Settings
		fix      func(model.Settings) (*finding.Fix, error)
		calls    int
		want     map[string]want // by control
	}{
		{name: "private: one fix for both failures", cluster: openCluster("a"), opts: private, settings: toPrivate,
			fix: func(model.Settings) (*finding.Fix, error) { return edit, nil }, calls: 1,
			want: map[string]want{"5.4.1": {true, edit.Description}, "5.4.2": {true, edit.Description}}},
		{name: "restrict: fixes 5.4.1 only", cluster: openCluster("a"), opts: restrict, settings: toRestrict.Pending(openCluster("a")),
			fix: func(model.Settings) (*finding.Fix, error) { return edit, nil }, calls: 1,
			want: map[string]want{"5.4.1": {true, edit.Description}, "5.4.2": {false, "set endpointPrivateAccess=true and endpointPublicAccess=false in the cluster definition"}}},
		{name: "restrict: a restricted cluster that fails only 5.4.2 is left alone", cluster: restrictedCluster("a"), opts: restrict,
			fix: func(model.Settings) (*finding.Fix, error) { t.Error("fix called"); return edit, nil }, calls: 0,
			want: map[string]want{"5.4.1": {false, ""}, "5.4.2": {false, "set endpointPrivateAccess=true and endpointPublicAccess=false in the cluster definition"}}},
		{name: "a restricted cluster without private access gets only private access", cluster: func() *model.Cluster {
			c := restrictedCluster("a")
			c.EndpointPrivateAccess = model.Explicit(false)
			return c
		}(), opts: private, settings: toPrivate,
			fix: func(model.Settings) (*finding.Fix, error) { return edit, nil }, calls: 1,
			want: map[string]want{"5.4.1": {true, edit.Description}, "5.4.2": {true, edit.Description}}},
		{name: "no safe edit", cluster: openCluster("a"), opts: private, settings: toPrivate,
			fix: func(model.Settings) (*finding.Fix, error) { return nil, errors.New("the value differs per instance") }, calls: 1,
			want: map[string]want{"5.4.1": {false, "no automatic edit: the value differs per instance"}, "5.4.2": {false, "no automatic edit: the value differs per instance"}}},
		{name: "one field the format cannot write costs only the checks that need it", cluster: openCluster("a"), opts: private, settings: toPrivate,
			fix: func(s model.Settings) (*finding.Fix, error) {
				if s.EndpointPublicAccess != nil {
					return nil, &iacsrc.FieldError{Field: model.FieldEndpointPublicAccess, Reason: "public access is set by a module output"}
				}
				return edit, nil
			}, calls: 2,
			want: map[string]want{"5.4.1": {false, "no automatic edit: public access is set by a module output"}, "5.4.2": {false, "no automatic edit: public access is set by a module output"}}},
		{name: "fix without edits", cluster: openCluster("a"), opts: private, settings: toPrivate,
			fix: func(model.Settings) (*finding.Fix, error) { return &finding.Fix{Description: "already there"}, nil }, calls: 1,
			want: map[string]want{"5.4.1": {false, "no automatic edit: already there"}, "5.4.2": {false, "no automatic edit: already there"}}},
		{name: "a panicking fix is an error", cluster: openCluster("a"), opts: private, settings: toPrivate,
			fix: func(model.Settings) (*finding.Fix, error) { panic("bug") }, calls: 1,
			want: map[string]want{"5.4.1": {false, "no automatic edit: internal error, please report it: bug"}, "5.4.2": {false, "no automatic edit: internal error, please report it: bug"}}},
		{name: "no fix function (a plan)", cluster: openCluster("a"), opts: private, fix: nil,
			want: map[string]want{"5.4.1": {false, "set endpointPrivateAccess=true and endpointPublicAccess=false in the cluster definition"}, "5.4.2": {false, "set endpointPrivateAccess=true and endpointPublicAccess=false in the cluster definition"}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			calls := 0
			r := iacsrc.Resource{Cluster: tt.cluster}
			if tt.fix != nil {
				r.Fix = func(s model.Settings) (*finding.Fix, error) {
					calls++
					if calls == 1 && !reflect.DeepEqual(s, tt.settings) {
						t.Errorf("settings = %+v, want %+v", s, tt.settings)
					}
					return tt.fix(s)
				}
			}
			results := endpointOnly(t).EvaluateCluster(tt.cluster)
			attachFix(results, r, tt.opts)
			if calls != tt.calls {
				t.Errorf("fix called %d times, want %d", calls, tt.calls)
			}
			for _, res := range results {
				w := tt.want[res.Control]
				if (res.Fix != nil) != w.fix {
					t.Errorf("%s: fix = %+v", res.Control, res.Fix)
				}
				if got, _, _ := strings.Cut(res.Remediation, "\n"); got != w.remediation {
					t.Errorf("%s: remediation = %q, want %q", res.Control, got, w.remediation)
				}
			}
		})
	}
}

func TestExitFor(t *testing.T) {
	res := func(s finding.Status) finding.Result { return finding.Result{Status: s} }
	tests := []struct {
		name     string
		results  []finding.Result
		problems []finding.Problem
		code     int
	}{
		{"nothing found", nil, nil, exit.OK},
		{"all pass", []finding.Result{res(finding.Pass)}, nil, exit.OK},
		{"unknown alone is not a failure", []finding.Result{res(finding.Pass), res(finding.Unknown)}, nil, exit.OK},
		{"a failure", []finding.Result{res(finding.Unknown), res(finding.Fail)}, nil, exit.Fail},
		{"an error", []finding.Result{res(finding.Fail), res(finding.Error)}, nil, exit.Incomplete},
		{"a problem wins over a failure", []finding.Result{res(finding.Fail)}, []finding.Problem{{File: "x.tf", Line: 1, Message: "bad"}}, exit.Usage},
		{"a problem wins over an error", []finding.Result{res(finding.Error)}, []finding.Problem{{File: "x.tf", Line: 1, Message: "bad"}}, exit.Usage},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rep := &finding.Report{Results: tt.results, Problems: tt.problems}
			rep.Finish()
			if got := exit.Code(ExitFor(rep)); got != tt.code {
				t.Errorf("exit code = %d, want %d", got, tt.code)
			}
		})
	}
}

// TestRun runs the command in-process over a small tree and checks the report, the problems on
// standard error, and that AWS configuration is never loaded.
func TestRun(t *testing.T) {
	dir := t.TempDir()
	files := map[string]string{
		"infra/main.tf": `resource "aws_eks_cluster" "open" {
  name     = "open"
  role_arn = "arn:aws:iam::111111111111:role/eks"
  vpc_config {
    subnet_ids = ["subnet-1"]
  }
}
`,
		"infra/vars.tf":     "variable \"public\" {\n  type = bool\n}\n",
		"infra/broken.yaml": "AWSTemplateFormatVersion: \"2010-09-09\"\nResources:\n  C: [\n",
		"readme.txt":        "notes\n",
	}
	for name, text := range files {
		p := filepath.Join(dir, filepath.FromSlash(name))
		os.MkdirAll(filepath.Dir(p), 0o755)
		if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	ios, _, out, errOut := iostreams.Test()
	f := &app.Factory{IO: ios, Now: time.Now, AWSConfig: func(context.Context, string) (aws.Config, error) {
		t.Error("eksguard iac loaded AWS configuration")
		return aws.Config{}, errors.New("no")
	}}
	t.Chdir(dir)
	cmd := NewCmd(f, nil)
	cmd.SetArgs([]string{"infra", "readme.txt", "--format", "json"})
	cmd.SetOut(io.Discard)
	cmd.SetErr(io.Discard)
	err := cmd.Execute()
	if code := exit.Code(err); code != exit.Usage {
		t.Errorf("exit code = %d (%v), want 2", code, err)
	}
	wantErr := []string{"infra/broken.yaml:", "readme.txt: " + iacsrc.NotIaC}
	for _, w := range wantErr {
		if !strings.Contains(errOut.String(), w) {
			t.Errorf("stderr lacks %q:\n%s", w, errOut.String())
		}
	}
	for _, w := range []string{`"name": "aws_eks_cluster.open"`, `"file": "infra/main.tf"`, `"status": "FAIL"`, `"fix": {`, `"problems": [`} {
		if !strings.Contains(out.String(), w) {
			t.Errorf("report lacks %s:\n%s", w, out.String())
		}
	}
}

// TestEvaluateNeverPanics: a cluster the checks choke on becomes ERROR results at its location.
func TestEvaluateNeverPanics(t *testing.T) {
	b := endpointOnly(t)
	tests := []struct {
		name   string
		c      *model.Cluster
		status finding.Status
	}{
		{"ordinary", openCluster("a"), finding.Fail},
		{"pathological", &model.Cluster{Name: "odd", Loc: &model.Location{File: "x.tf", Line: 2}, EndpointPublicAccess: model.Explicit(true), EndpointPrivateAccess: model.Explicit(true),
			PublicAccessCIDRs: model.Strings{Values: []string{"1.2.3.0/24", "", "::/0x"}, Origin: model.OriginExplicit}}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			results := evaluate(b, tt.c)
			if len(results) != 2 {
				t.Fatalf("results = %+v", results)
			}
			for _, r := range results {
				if tt.status != "" && r.Status != tt.status {
					t.Errorf("%s = %s", r.Control, r.Status)
				}
				if r.Location == nil {
					t.Errorf("%s has no location", r.Control)
				}
			}
		})
	}
	// A nil cluster cannot come from iacsrc.Scan, but makes EvaluateCluster panic: that is recovered
	// into ERROR results.
	for _, r := range evaluate(b, nil) {
		if r.Status != finding.Error || !strings.Contains(r.Reason, "internal error, please report it") {
			t.Errorf("%s: %s %s", r.Control, r.Status, r.Reason)
		}
	}
}

// TestCFParams scans a template with parameter files as deployments keep them: the values decide
// the verdicts, and a later file wins.
func TestCFParams(t *testing.T) {
	dir := t.TempDir()
	files := map[string]string{
		"stacks/eks.yaml": `AWSTemplateFormatVersion: "2010-09-09"
Parameters:
  PublicEndpoint:
    Type: String
    AllowedValues: ["true", "false"]
    Default: "true"
Resources:
  ControlPlane:
    Type: AWS::EKS::Cluster
    Properties:
      RoleArn: arn:aws:iam::111122223333:role/eks
      ResourcesVpcConfig:
        SubnetIds: [subnet-0a1b2c3d]
        EndpointPublicAccess: !Ref PublicEndpoint
        EndpointPrivateAccess: true
`,
		"params/prod.json":    `[{"ParameterKey": "PublicEndpoint", "ParameterValue": "false"}]`,
		"params/open.json":    `{"Parameters": {"PublicEndpoint": "true"}}`,
		"params/typo.json":    "[\n  \"PublicEndpiont=false\"\n]\n",
		"params/refused.json": `{"Parameters": {"PublicEndpoint": "False "}}`,
	}
	for name, text := range files {
		p := filepath.Join(dir, filepath.FromSlash(name))
		os.MkdirAll(filepath.Dir(p), 0o755)
		if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	tests := []struct {
		name     string
		params   []string
		status   finding.Status // of 5.4.2
		problems []string
	}{
		{name: "defaults without a file", status: finding.Fail},
		{name: "the file's value decides", params: []string{"params/prod.json"}, status: finding.Pass},
		{name: "a later file wins", params: []string{"params/prod.json", "params/open.json"}, status: finding.Fail},
		{name: "undeclared key is a problem at its line", params: []string{"params/typo.json"}, status: finding.Fail,
			problems: []string{`params/typo.json:2:3: parameter "PublicEndpiont" is not declared by any template scanned`}},
		{name: "value AllowedValues refuses", params: []string{"params/refused.json"}, status: finding.Unknown,
			problems: []string{`params/refused.json:1:35: parameter "PublicEndpoint" of stacks/eks.yaml: "False " is not one of its AllowedValues (true, false)`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ios, _, _, _ := iostreams.Test()
			o := &Options{IO: ios, Paths: []string{"stacks"}, CFParams: tt.params, Format: "json", Target: check.TargetPrivate, Dir: dir}
			if err := o.Validate(); err != nil {
				t.Fatal(err)
			}
			t.Chdir(dir)
			rep, err := Scan(context.Background(), o)
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, p := range rep.Problems {
				got = append(got, p.String())
			}
			if len(got) != len(tt.problems) {
				t.Fatalf("problems %q, want %q", got, tt.problems)
			}
			for i := range got {
				if !strings.HasPrefix(got[i], filepath.ToSlash(filepath.Join(dir, ""))+"/"+tt.problems[i]) && !strings.HasPrefix(got[i], tt.problems[i]) {
					t.Errorf("problem %q, want %q", got[i], tt.problems[i])
				}
			}
			for _, r := range rep.Results {
				if r.Control != "5.4.2" {
					continue
				}
				if r.Status != tt.status {
					t.Errorf("5.4.2 %s (%s), want %s", r.Status, r.Reason, tt.status)
				}
			}
		})
	}
}
