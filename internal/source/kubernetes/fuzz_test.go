package kubernetes

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"

	"github.com/eksguard/eksguard/internal/check"
	"github.com/eksguard/eksguard/internal/finding"
	"github.com/eksguard/eksguard/internal/source/iac"
)

// FuzzKubernetes runs arbitrary bytes through the whole adapter: scan (without the recover that Scan
// adds), every check, and the fix every failing check asks for, whose result must still read, as
// the same clusters, with the settings it wrote.
func FuzzKubernetes(f *testing.F) {
	files, _ := filepath.Glob("testdata/*.yaml")
	for _, p := range files {
		if data, err := os.ReadFile(p); err == nil {
			f.Add(data)
		}
	}
	f.Add([]byte("apiVersion: eks.services.k8s.aws/v1alpha1\nkind: Cluster\nmetadata: {name: a}\nspec: {name: a, resourcesVPCConfig: {}, encryptionConfig: [{resources: [secrets], provider: {}}]}\n"))
	f.Add([]byte("---\n...\n--- !!map\napiVersion: controlplane.cluster.x-k8s.io/v1beta2\nkind: AWSManagedControlPlane\nmetadata: &m {name: a}\nspec: *m\n"))
	f.Add([]byte("apiVersion: eks.aws.upbound.io/v1beta1\nkind: Cluster\nmetadata: {name: a}\nspec:\n  forProvider:\n    vpcConfig: {endpointPublicAccess: true}\n    encryptionConfig: [{provider: []}]\n  initProvider: {accessConfig: [{}]}\n"))
	f.Add([]byte("apiVersion: apiextensions.crossplane.io/v1\nkind: Composition\nmetadata: {name: x}\nspec:\n  patchSets: [{name: p, patches: [{toFieldPath: 'spec.forProvider[vpcConfig'}]}]\n  resources:\n    - name: c\n      patches: [{type: PatchSet, patchSetName: p}, {fromFieldPath: spec.forProvider.accessConfig}]\n      base: &b {apiVersion: eks.aws.m.upbound.io/v1beta1, kind: Cluster, spec: {forProvider: {vpcConfig: [{}]}}}\n    - {name: d, base: *b}\n"))
	f.Add([]byte("apiVersion: kro.run/v1alpha1\nkind: ResourceGraphDefinition\nmetadata: {name: p}\nspec:\n  resources:\n    - id: c\n      includeWhen: ${schema.spec.on}\n      template: &t {apiVersion: eks.services.k8s.aws/v1alpha1, kind: Cluster, spec: {resourcesVPCConfig: {endpointPublicAccess: '${a}', publicAccessCIDRs: [*t]}, logging: ${x}}}\n    - {id: d, template: *t}\n    - {id: e, template: {apiVersion: eks.aws.upbound.io/v1beta1, kind: Cluster, spec: {initProvider: {vpcConfig: [${v}]}}}}\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		res := scan("fuzz.yaml", data)
		for i, r := range res.Resources {
			for _, k := range check.All() {
				k.Evaluate(r.Cluster)
			}
			for _, o := range []check.Options{{Endpoint: check.TargetPrivate, KMSKeyARN: key}, {Endpoint: check.TargetRestrict, CIDRs: []string{"203.0.113.0/24"}}} {
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
				again := scan("fuzz.yaml", patched)
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
