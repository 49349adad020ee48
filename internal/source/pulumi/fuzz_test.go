package pulumi

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"

	"github.com/eksguard/eksguard/internal/check"
	"github.com/eksguard/eksguard/internal/finding"
	"github.com/eksguard/eksguard/internal/source/iac"
)

// FuzzPulumi runs arbitrary bytes as a Pulumi.yaml, beside a fixed stack file, through the adapter's
// per-file scan (without the recover Scan adds), every check, and the fix every failing check asks
// for, whose result must still read as the same clusters with the settings it wrote.
func FuzzPulumi(f *testing.F) {
	for _, dir := range []string{"aws", "eks"} {
		if data, err := os.ReadFile(filepath.Join("testdata", dir, "Pulumi.yaml")); err == nil {
			f.Add(data)
		}
	}
	f.Add([]byte("name: p\nruntime: yaml\nvariables:\n  a: ${b}\n  b: [${a}]\nresources:\n  c:\n    type: eks:Cluster\n    properties: {authenticationMode: ${a[0]}, publicAccessCidrs: ${pulumi.stack}}\n"))
	f.Add([]byte("name: p\nruntime: {name: yaml}\nresources:\n  c: &c\n    type: aws:eks:Cluster\n    properties:\n      vpcConfig: {endpointPublicAccess: \"${x}\"}\n      encryptionConfig: [{resources: [secrets], provider: {keyArn: $${k}}}]\n  d: *c\n"))
	stack := &iac.File{Path: "Pulumi.s.yaml", Name: "Pulumi.s.yaml", Data: []byte("config:\n  p:x: \"true\"\n  p:y: [a, b]\n")}
	f.Fuzz(func(t *testing.T, data []byte) {
		scan := func(data []byte) iac.Result {
			prog := &iac.File{Path: "Pulumi.yaml", Name: "Pulumi.yaml", Data: data}
			e := &env{stack: "s", noDisk: true, files: map[string]*iac.File{"Pulumi.yaml": prog, "Pulumi.s.yaml": stack}}
			var res iac.Result
			e.scanFile(prog, &res)
			return res
		}
		res := scan(data)
		for i, r := range res.Resources {
			for _, k := range check.All() {
				k.Evaluate(r.Cluster)
			}
			for _, o := range []check.Options{{Endpoint: check.TargetPrivate, KMSKeyARN: kmsKey}, {Endpoint: check.TargetRestrict, CIDRs: []string{"203.0.113.0/24"}}} {
				want := wanted(r.Cluster, o)
				if want.Empty() {
					continue
				}
				fx, skipped, err := iac.PlanFix(r, want)
				if err != nil || fx == nil {
					continue
				}
				patched, err := finding.ApplyEdits(data, fx.Edits)
				if err != nil {
					t.Fatalf("%s: %v", fx.Description, err)
				}
				again := scan(patched)
				if len(again.Resources) != len(res.Resources) || len(again.Problems) > len(res.Problems) {
					t.Fatalf("fix %s for %s broke the file (%v):\n%s\n---\n%s", fx.Description, r.Cluster.Name, again.Problems, data, patched)
				}
				written := want
				for f := range skipped {
					written = written.Without(f)
				}
				if left := written.Pending(again.Resources[i].Cluster); !left.Empty() {
					t.Fatalf("fix %s for %s leaves %v unwritten:\n%s\n---\n%s", fx.Description, r.Cluster.Name, left.Fields(), data, patched)
				}
				if bytes.Equal(patched, data) {
					t.Fatalf("fix %s for %s changes nothing", fx.Description, r.Cluster.Name)
				}
			}
		}
	})
}
