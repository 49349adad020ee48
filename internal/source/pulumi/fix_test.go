package pulumi

import (
	"strings"
	"testing"

	"github.com/eksguard/eksguard/internal/check"
	"github.com/eksguard/eksguard/internal/finding"
	"github.com/eksguard/eksguard/internal/model"
	"github.com/eksguard/eksguard/internal/source/iac"
)

const kmsKey = "arn:aws:kms:us-east-1:111111111111:key/1234abcd-12ab-34cd-56ef-1234567890ab"

func wanted(c *model.Cluster, o check.Options) model.Settings {
	want, _, _ := check.Wanted(c, o)
	return want
}

// patched applies edits to the input's files, in memory.
func patched(t *testing.T, in *iac.Input, edits []finding.Edit) *iac.Input {
	t.Helper()
	byFile := map[string][]finding.Edit{}
	for _, e := range edits {
		byFile[e.File] = append(byFile[e.File], e)
	}
	out := &iac.Input{}
	for _, f := range in.Files {
		g := *f
		if es := byFile[f.Name]; len(es) > 0 {
			data, err := finding.ApplyEdits(f.Data, es)
			if err != nil {
				t.Fatal(err)
			}
			g.Data = data
			delete(byFile, f.Name)
		}
		out.Files = append(out.Files, &g)
	}
	for name := range byFile {
		t.Fatalf("an edit of %s, which is not an input file", name)
	}
	return out
}

// TestFix plans the fix every failing check asks for on every cluster of the programs, for both
// endpoint targets, applies the edits, scans again with the same stack and wants every check that
// failed to pass, except the settings the adapter refuses to write, which must say why.
func TestFix(t *testing.T) {
	refused := map[string]string{
		// pulumi-eks throws on publicAccessCidrs with endpointPublicAccess false.
		"eks/legacy/private/" + string(model.FieldEndpointPublicAccess): "remove publicAccessCidrs by hand",
	}
	for _, c := range []struct{ dir, stack string }{{"aws", "dev"}, {"aws", "prod"}, {"aws", ""}, {"eks", ""}, {"eks", "staging"}} {
		for _, opts := range []check.Options{
			{Endpoint: check.TargetPrivate, KMSKeyARN: kmsKey},
			{Endpoint: check.TargetRestrict, CIDRs: []string{"198.51.100.0/24"}, KMSKeyARN: kmsKey},
		} {
			in := input(t, c.dir)
			before := New().Scan(in, iac.Options{PulumiStack: c.stack})
			for i, r := range before.Resources {
				name := c.dir + "/" + r.Cluster.Name + "/" + opts.Endpoint
				t.Run(name+"/"+c.stack, func(t *testing.T) {
					want := wanted(r.Cluster, opts)
					if want.Empty() {
						return
					}
					fix, skipped, err := iac.PlanFix(r, want)
					if err != nil {
						t.Fatal(err)
					}
					for f, why := range skipped {
						if exp, ok := refused[name+"/"+string(f)]; !ok || !strings.Contains(why, exp) {
							t.Errorf("%s skipped: %s", f, why)
						}
					}
					if fix == nil {
						if len(skipped) == 0 {
							t.Fatal("no fix")
						}
						return
					}
					if !strings.Contains(fix.Description, "pulumi up") {
						t.Errorf("the description does not say how to apply it: %s", fix.Description)
					}
					after := New().Scan(patched(t, in, fix.Edits), iac.Options{PulumiStack: c.stack})
					if len(after.Problems) > 0 || len(after.Resources) != len(before.Resources) {
						t.Fatalf("after the fix: %d clusters, problems %v", len(after.Resources), after.Problems)
					}
					for _, k := range check.All() {
						was, now := k.Evaluate(r.Cluster), k.Evaluate(after.Resources[i].Cluster)
						if was.Status != finding.Fail || now.Status == finding.Pass {
							continue
						}
						if opts.Endpoint == check.TargetRestrict && k.ID == "eks-endpoint-private" {
							continue // the restrict target keeps the public endpoint, by choice
						}
						refusedHere := false
						for _, f := range k.Reads {
							if _, ok := skipped[f]; ok {
								refusedHere = true
							}
						}
						if !refusedHere {
							t.Errorf("%s is still %s after %s: %s", k.ID, now.Status, fix.Description, now.Reason)
						}
					}
				})
			}
		}
	}
}

// TestFixText pins what an edit writes: a ${config} reference replaced at the property, a setting
// added under an existing mapping, and properties created for a resource without them.
func TestFixText(t *testing.T) {
	tests := []struct {
		name, src string
		want      model.Settings
		out       string
	}{
		{
			name: "a reference replaced, a missing key added",
			src:  "name: p\nruntime: yaml\nconfig:\n  pub:\n    type: boolean\nresources:\n  c:\n    type: aws:eks:Cluster\n    properties:\n      vpcConfig:\n        subnetIds: [subnet-1]\n        endpointPublicAccess: ${pub}\n",
			want: model.Settings{EndpointPublicAccess: model.Ptr(false), EndpointPrivateAccess: model.Ptr(true)},
			out:  "name: p\nruntime: yaml\nconfig:\n  pub:\n    type: boolean\nresources:\n  c:\n    type: aws:eks:Cluster\n    properties:\n      vpcConfig:\n        subnetIds: [subnet-1]\n        endpointPublicAccess: false\n        endpointPrivateAccess: true\n",
		},
		{
			name: "properties created",
			src:  "name: p\nruntime: yaml\nresources:\n  c:\n    type: eks:Cluster\n",
			want: model.Settings{SecretsKeyARN: model.Ptr(kmsKey), AuthenticationMode: model.Ptr(model.AuthAPIAndConfigMap)},
			out:  "name: p\nruntime: yaml\nresources:\n  c:\n    type: eks:Cluster\n    properties:\n      authenticationMode: API_AND_CONFIG_MAP\n      encryptionConfigKeyArn: " + kmsKey + "\n",
		},
		{
			name: "encryptionConfig written whole",
			src:  "name: p\nruntime: yaml\nresources:\n  c:\n    type: aws:eks:Cluster\n    properties:\n      roleArn: r\n",
			want: model.Settings{SecretsKeyARN: model.Ptr(kmsKey)},
			out:  "name: p\nruntime: yaml\nresources:\n  c:\n    type: aws:eks:Cluster\n    properties:\n      roleArn: r\n      encryptionConfig:\n        provider:\n          keyArn: " + kmsKey + "\n        resources:\n          - secrets\n",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in := &iac.Input{Files: []*iac.File{{Path: "Pulumi.yaml", Name: "Pulumi.yaml", Data: []byte(tt.src)}}}
			res := New().Scan(in, iac.Options{})
			if len(res.Resources) != 1 {
				t.Fatalf("%d clusters", len(res.Resources))
			}
			fix, skipped, err := iac.PlanFix(res.Resources[0], tt.want)
			if err != nil || len(skipped) > 0 || fix == nil {
				t.Fatalf("fix %v, skipped %v, error %v", fix, skipped, err)
			}
			got := string(patched(t, in, fix.Edits).Files[0].Data)
			if got != tt.out {
				t.Errorf("got:\n%s\nwant:\n%s", got, tt.out)
			}
		})
	}
}

// TestFixRefused: what a fix must not write through.
func TestFixRefused(t *testing.T) {
	tests := []struct {
		name, src string
		want      model.Settings
		why       string
	}{
		{"vpcConfig from a variable", "name: p\nruntime: yaml\nvariables:\n  net: {endpointPublicAccess: true}\nresources:\n  c:\n    type: aws:eks:Cluster\n    properties:\n      vpcConfig: ${net}\n",
			model.Settings{EndpointPublicAccess: model.Ptr(false)}, "computed by ${net}"},
		{"encryptionConfig from fn::invoke", "name: p\nruntime: yaml\nresources:\n  c:\n    type: aws:eks:Cluster\n    properties:\n      encryptionConfig:\n        fn::invoke:\n          function: x:y:z\n",
			model.Settings{SecretsKeyARN: model.Ptr(kmsKey)}, "computed by fn::invoke"},
		{"pulumi-eks allowlist with the public endpoint off", "name: p\nruntime: yaml\nresources:\n  c:\n    type: eks:Cluster\n    properties:\n      publicAccessCidrs: [198.51.100.0/24]\n",
			model.Settings{EndpointPublicAccess: model.Ptr(false)}, "pulumi-eks rejects publicAccessCidrs"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res := New().Scan(&iac.Input{Files: []*iac.File{{Path: "Pulumi.yaml", Name: "Pulumi.yaml", Data: []byte(tt.src)}}}, iac.Options{})
			if len(res.Resources) != 1 {
				t.Fatalf("%d clusters", len(res.Resources))
			}
			_, skipped, err := iac.PlanFix(res.Resources[0], tt.want)
			why := ""
			for _, w := range skipped {
				why = w
			}
			if err != nil {
				why = err.Error()
			}
			if !strings.Contains(why, tt.why) {
				t.Errorf("refused with %q, want %q", why, tt.why)
			}
		})
	}
}
