package explain

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"strings"
	"testing"

	"github.com/eksguard/eksguard/internal/app"
	"github.com/eksguard/eksguard/internal/benchmark"
	"github.com/eksguard/eksguard/internal/check"
	"github.com/eksguard/eksguard/internal/cmdutil"
	"github.com/eksguard/eksguard/internal/iostreams"
)

func run(t *testing.T, args ...string) (string, error) {
	t.Helper()
	streams, _, out, _ := iostreams.Test()
	err := cmdutil.ExecuteUnder(NewCmd(app.New(streams), nil), args...)
	return out.String(), err
}

// TestEveryID: every control and every check explains, in text and JSON, without error.
func TestEveryID(t *testing.T) {
	b := benchmark.Default()
	for _, id := range ids(b) {
		for _, format := range []string{"text", "json"} {
			out, err := run(t, id, "--format", format)
			if err != nil {
				t.Errorf("%s (%s): %v", id, format, err)
				continue
			}
			if format == "json" && !json.Valid([]byte(out)) {
				t.Errorf("%s: not JSON", id)
			}
			if format == "text" && !strings.Contains(out, id) {
				t.Errorf("%s: the text does not name it:\n%s", id, out)
			}
		}
	}
}

func TestControl(t *testing.T) {
	out, err := run(t, "5.4.1")
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{
		"5.4.1 Restrict Access to the Control Plane Endpoint",
		"eks-endpoint-restricted: Restrict access to the API server endpoint",
		"What it protects against", "What eksguard reads", "eks:DescribeCluster:", "Passes when", "Defaults",
		"aws eks update-cluster-config --region REGION --name CLUSTER --resources-vpc-config endpointPrivateAccess=true,endpointPublicAccess=false",
		"publicAccessCidrs=203.0.113.0/24",
		"eksguard fix --cluster CLUSTER --region REGION --private",
		"terraform (example:", "+    endpoint_private_access = true",
		"terraform-aws-modules/eks (example:", "cloudformation-yaml (example:", "cloudformation-json (example:", "eksctl (example:",
		"terraform-plan (example:", "a plan is generated",
		"https://docs.aws.amazon.com/eks/latest/userguide/cluster-endpoint.html",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("explain 5.4.1 lacks %q", want)
		}
	}
	// The patches are shown without their git header, and every line of a patch is indented.
	if strings.Contains(out, "diff --git") {
		t.Error("the git header is shown")
	}
}

func TestCheckJSON(t *testing.T) {
	out, err := run(t, "EKS-SECRETS-ENCRYPTION", "--format", "json")
	if err != nil {
		t.Fatal(err)
	}
	var e Explanation
	if err := json.Unmarshal([]byte(out), &e); err != nil {
		t.Fatal(err)
	}
	if e.ID != "eks-secrets-encryption" || e.Kind != "check" || e.Control != nil || len(e.Checks) != 1 {
		t.Fatalf("explanation = %+v", e)
	}
	d := e.Checks[0]
	if strings.Join(d.Controls, ",") != "5.3.1" || d.Severity != "medium" || d.Caution == "" {
		t.Errorf("check = %+v", d)
	}
	// The key only the user can choose stands as KEY_ARN, and the note says so.
	if len(d.Remediation.Live) != 1 || !strings.Contains(d.Remediation.Live[0], "aws eks associate-encryption-config --region REGION --cluster-name CLUSTER") ||
		!strings.Contains(d.Remediation.Live[0], `"keyArn":"KEY_ARN"`) || !strings.Contains(d.Remediation.Note, "KEY_ARN") {
		t.Errorf("live remediation = %+v", d.Remediation)
	}
	if d.Remediation.GuardedFix != "" || len(d.Remediation.Restrict) != 0 {
		t.Errorf("secrets encryption has no guarded fix or restrict target: %+v", d.Remediation)
	}
	formats := map[check.Format]IaCFix{}
	for _, f := range d.Remediation.IaC {
		formats[f.Format] = f
	}
	for _, f := range []check.Format{check.FormatTerraform, check.FormatTerraformModule, check.FormatCloudFormationYAML, check.FormatCloudFormationJSON, check.FormatEksctl} {
		if p := formats[f].Patch; !strings.Contains(p, "\n+") || !strings.Contains(p, "arn:aws:kms:") {
			t.Errorf("%s: patch %q", f, p)
		}
	}
}

func TestNotEvaluated(t *testing.T) {
	out, err := run(t, "3.1.1")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out, "eksguard does not evaluate this control") || !strings.Contains(out, "worker nodes") {
		t.Errorf("explain 3.1.1:\n%s", out)
	}
	out, err = run(t, "2.1.2", "--format", "json")
	var e Explanation
	if err != nil || json.Unmarshal([]byte(out), &e) != nil || e.Control == nil || e.Control.Evaluated || e.Control.Source != "organizational" || len(e.Checks) != 0 {
		t.Errorf("explain 2.1.2 --format json: %v %s", err, out)
	}
}

func TestUnknownID(t *testing.T) {
	for _, tt := range []struct {
		args []string
		has  []string
	}{
		{[]string{"9.9.9"}, []string{`"9.9.9" is not a control`, "controls: 2.1.1, 2.1.2", "5.5.1", "checks: anonymous-api-access, ecr-image-scanning, eks-access-api"}},
		{[]string{"5.4"}, []string{`"5.4" is a section`, "5.4.1, 5.4.2, 5.4.3, 5.4.4, 5.4.5"}},
		{[]string{""}, []string{"the id is empty"}},
		{[]string{}, []string{"accepts 1 arg"}},
		{[]string{"5.4.1", "5.4.2"}, []string{"accepts 1 arg"}},
		{[]string{"5.4.1", "--format", "yaml"}, []string{"--format"}},
	} {
		_, err := run(t, tt.args...)
		var u *cmdutil.UsageError
		if !errors.As(err, &u) || u.Command != "explain" {
			t.Errorf("%q: %v, want a usage error of explain", tt.args, err)
			continue
		}
		for _, h := range tt.has {
			if !strings.Contains(err.Error(), h) {
				t.Errorf("%q: %v lacks %q", tt.args, err, h)
			}
		}
	}
}

func TestWriteError(t *testing.T) {
	err := Run(context.Background(), &Options{Out: failing{}, Benchmark: benchmark.Default, ID: "5.4.2", Format: "text"})
	if err == nil {
		t.Error("a write error was not returned")
	}
	var buf bytes.Buffer
	if err := Run(context.Background(), &Options{Out: &buf, Benchmark: benchmark.Default, ID: "5.4.2", Format: "text"}); err != nil || buf.Len() == 0 {
		t.Errorf("Run: %v", err)
	}
}

type failing struct{}

func (failing) Write([]byte) (int, error) { return 0, errors.New("disk full") }
