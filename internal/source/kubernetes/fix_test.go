package kubernetes

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/eksguard/eksguard/internal/check"
	"github.com/eksguard/eksguard/internal/finding"
	"github.com/eksguard/eksguard/internal/model"
	"github.com/eksguard/eksguard/internal/render"
	"github.com/eksguard/eksguard/internal/source/iac"
	"github.com/eksguard/eksguard/internal/testenv"
)

// wanted merges what every check that does not pass wants of a cluster, for the options.
func wanted(c *model.Cluster, o check.Options) model.Settings {
	want, _, _ := check.Wanted(c, o)
	return want
}

// TestFix plans the fix every failing check asks for on every fixture cluster, for both endpoint
// targets, applies it as eksguard iac --format patch would (the patch must git apply cleanly and give
// the same file as the edits), scans the result again and wants every check that failed to pass.
// Settings that cannot be written are left out with why, and stay as they were.
func TestFix(t *testing.T) {
	testenv.RequireTool(t, "git")
	refused := map[string]string{
		"legacy/" + string(model.FieldAuthenticationMode): "v1beta1 has no spec.accessConfig",
		// A patch sets the public endpoint of every composite; the base is not where it is decided.
		"xeks.platform.example.org/cluster/" + string(model.FieldEndpointPublicAccess): "written by the FromCompositeFieldPath patch from spec.parameters.publicAccess",
		// Each instance of the kro API decides the public endpoint through a CEL expression.
		"eks-platform/cluster/" + string(model.FieldEndpointPublicAccess): "kro CEL expression ${schema.spec.publicAccess}",
	}
	for _, file := range []string{"capi-template.yaml", "ack-cluster.yaml", "crlf.yaml", "capa-v1beta2.yaml", "capa-v1beta1.yaml",
		"crossplane-composition.yaml", "upbound-v1beta1.yaml", "crossplane-classic.yaml", "kro-eks-platform.yaml"} {
		for _, opts := range []check.Options{
			{Endpoint: check.TargetPrivate, KMSKeyARN: key},
			{Endpoint: check.TargetRestrict, CIDRs: []string{"203.0.113.0/24"}, KMSKeyARN: key},
		} {
			data := readFixture(t, file)
			before := scanAt(file, "testdata/"+file, data)
			for i, r := range before.Resources {
				name := file + "/" + r.Cluster.Name + "/" + opts.Endpoint
				want := wanted(r.Cluster, opts)
				if want.Empty() {
					continue
				}
				t.Run(name, func(t *testing.T) {
					fix, skipped, err := iac.PlanFix(r, want)
					if err != nil {
						t.Fatal(err)
					}
					for f, why := range skipped {
						if w := refused[r.Cluster.Name+"/"+string(f)]; w == "" || !strings.Contains(why, w) {
							t.Errorf("%s left out: %s", f, why)
						}
					}
					if fix == nil {
						if len(skipped) != len(want.Fields()) {
							t.Fatal("no fix")
						}
						return
					}
					edited, err := finding.ApplyEdits(data, fix.Edits)
					if err != nil {
						t.Fatal(err)
					}
					// The patch writes inserted lines with the file's own line ends; the edits hold
					// lines without them.
					patched := gitApply(t, file, data, fix)
					if crlf := []byte("\r"); !bytes.Equal(bytes.ReplaceAll(patched, crlf, nil), bytes.ReplaceAll(edited, crlf, nil)) {
						t.Errorf("git apply gives:\n%s\nthe edits give:\n%s", patched, edited)
					}
					if bytes.Contains(data, []byte("\r\n")) && bytes.Count(patched, []byte("\n")) != bytes.Count(patched, []byte("\r\n")) {
						t.Errorf("the fix mixes line endings:\n%q", patched)
					}
					after := scanAt(file, "testdata/"+file, patched)
					if len(after.Problems) > 0 || len(after.Resources) != len(before.Resources) {
						t.Fatalf("the fix broke the file: %v\n%s", after.Problems, patched)
					}
					for j, a := range after.Resources {
						if j != i && describeAll(a.Cluster) != describeAll(before.Resources[j].Cluster) {
							t.Errorf("the fix changed %s too", a.Cluster.Name)
						}
					}
					c := after.Resources[i].Cluster
					for _, k := range check.All() {
						o := k.Evaluate(c)
						target, why := k.Want(r.Cluster, opts)
						if why != "" || target.Empty() {
							continue
						}
						leftOut := false
						for _, f := range target.Fields() {
							leftOut = leftOut || skipped[f] != ""
						}
						if !leftOut && o.Status != finding.Pass {
							t.Errorf("%s after %q: %s: %s\n%s", k.ID, fix.Description, o.Status, o.Reason, patched)
						}
					}
				})
			}
		}
	}
}

func describeAll(c *model.Cluster) string {
	return strings.Join([]string{describe(c.EndpointPublicAccess), describe(c.EndpointPrivateAccess), describe(c.PublicAccessCIDRs),
		describe(c.EnabledLogTypes), describe(c.AuthenticationMode), describe(c.SecretsKeyARN)}, "\n")
}

// gitApply renders the fix as eksguard iac --format patch does and applies it with git apply in a
// fresh folder holding the file.
func gitApply(t *testing.T, file string, data []byte, fix *finding.Fix) []byte {
	t.Helper()
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, file), data, 0o644); err != nil {
		t.Fatal(err)
	}
	w, err := render.New("patch", render.Options{})
	if err != nil {
		t.Fatal(err)
	}
	var patch bytes.Buffer
	rep := &finding.Report{Results: []finding.Result{{Resource: finding.Resource{Name: "c"}, Fix: fix}}}
	if err := w.Write(&patch, rep); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "fix.patch"), patch.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command("git", "apply", "fix.patch")
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "GIT_CONFIG_NOSYSTEM=1", "GIT_CONFIG_GLOBAL="+os.DevNull)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("git apply: %v\n%s\n%s", err, out, patch.String())
	}
	got, err := os.ReadFile(filepath.Join(dir, file))
	if err != nil {
		t.Fatal(err)
	}
	return got
}

// TestFixRefused: what an object cannot take is refused with why, and nothing is written for it.
func TestFixRefused(t *testing.T) {
	ack := "apiVersion: eks.services.k8s.aws/v1alpha1\nkind: Cluster\nmetadata:\n  name: a\nspec:\n  name: a\n  resourcesVPCConfig:\n    subnetIDs: [subnet-1, subnet-2]\n"
	tests := []struct {
		name, src string
		want      model.Settings
		why       string
	}{
		{"v1beta1 authentication mode", "apiVersion: controlplane.cluster.x-k8s.io/v1beta1\nkind: AWSManagedControlPlane\nmetadata:\n  name: a\nspec:\n  region: x\n",
			model.Settings{AuthenticationMode: model.Ptr(model.AuthAPIAndConfigMap)}, "move the object to v1beta2"},
		{"ACK key beside keyRef", ack + "  encryptionConfig:\n    - resources: [secrets]\n      provider:\n        keyRef:\n          from:\n            name: ${KEY}\n",
			model.Settings{SecretsKeyARN: model.Ptr(key)}, "has a keyRef"},
		{"ACK encryption of other resources", ack + "  encryptionConfig:\n    - resources: [configmaps]\n      provider:\n        keyARN: " + key + "\n",
			model.Settings{SecretsKeyARN: model.Ptr(key)}, "no spec.encryptionConfig entry lists secrets"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res := scan("a.yaml", []byte(tt.src))
			if len(res.Resources) != 1 {
				t.Fatalf("%d clusters, problems %v", len(res.Resources), res.Problems)
			}
			fix, err := res.Resources[0].Fix(tt.want)
			if err == nil || !strings.Contains(err.Error(), tt.why) {
				t.Errorf("fix %+v, error %v; want %q", fix, err, tt.why)
			}
		})
	}
}
