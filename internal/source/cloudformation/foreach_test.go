package cloudformation

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/eksguard/eksguard/internal/finding"
	"github.com/eksguard/eksguard/internal/model"
	"github.com/eksguard/eksguard/internal/source/iac"
)

// TestForEach covers clusters declared by Fn::ForEach (AWS::LanguageExtensions), in YAML and JSON:
// each expanded cluster with its verdicts, the line of the fragment that decides them, and the note
// naming the loop.
func TestForEach(t *testing.T) {
	P, F := finding.Pass, finding.Fail
	tests := []struct {
		name, file, resource string
		params               []string
		want541, want542     finding.Status
		line541, line542     int
		note                 string
	}{
		{name: "yaml: item through Mappings, public", file: "foreach.yaml", resource: "EksClusterdev", want541: F, want542: F, line541: 35, line542: 35, note: `declared by Fn::ForEach::Clusters with Env = "dev"`},
		{name: "yaml: item through Mappings, private", file: "foreach.yaml", resource: "EksClusterprod", want541: P, want542: P, line541: 35, line542: 35},
		{name: "yaml: &{} drops the dash", file: "foreach.yaml", resource: "Sandboxdatascience", want541: F, want542: F, line541: 46, line542: 46, note: `Team = "data-science"`},
		{name: "yaml: collection from the parameter file", file: "foreach.yaml", resource: "EksClusterstaging", params: []string{"testdata/params/environments.json"}, want541: F, want542: F, line541: 35, line542: 35},
		{name: "json: item through a condition it names", file: "foreach.json", resource: "EksClusterdev", want541: F, want542: F, line541: 25, line542: 25},
		{name: "json: other item", file: "foreach.json", resource: "EksClusterprod", want541: P, want542: P, line541: 25, line542: 25},
		{name: "json: unknown collection, settings not from the loop still judged", file: "foreach.json", resource: "Regional${Region}", want541: P, want542: P, line541: 42, line542: 42, note: "parameter Regions has no Default"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res := scanParams(t, "testdata/"+tt.file, tt.params...)
			if len(res.Problems) > 0 {
				t.Fatalf("problems %v", res.Problems)
			}
			r := findResource(res, tt.resource)
			if r == nil {
				var names []string
				for _, r := range res.Resources {
					names = append(names, r.Cluster.Name)
				}
				t.Fatalf("no %s among %v", tt.resource, names)
			}
			v := evaluate(t, r.Cluster)
			if v.s541 != tt.want541 || v.s542 != tt.want542 || v.l541 != tt.line541 || v.l542 != tt.line542 {
				t.Errorf("5.4.1 %s line %d, 5.4.2 %s line %d; want %s %d, %s %d (%s)", v.s541, v.l541, v.s542, v.l542, tt.want541, tt.line541, tt.want542, tt.line542, v.r541)
			}
			if !strings.Contains(strings.Join(r.Cluster.Notes, "\n"), tt.note) {
				t.Errorf("notes %q lack %q", r.Cluster.Notes, tt.note)
			}
		})
	}
	res := scanParams(t, "testdata/foreach.yaml", "testdata/params/environments.json")
	var names []string
	for _, r := range res.Resources {
		names = append(names, r.Cluster.Name)
	}
	if got := strings.Join(names, ","); got != "EksClusterdev,EksClusterstaging,EksClusterprod,Sandboxdatascience,Sandboxweb" {
		t.Errorf("clusters %s", got)
	}
	prod := findResource(res, "EksClusterprod").Cluster
	if prod.AuthenticationMode.Value != "API" || prod.AuthenticationMode.Origin != model.OriginExplicit || !strings.Contains(prod.AuthenticationMode.Detail, "condition IsprodProd is true") {
		t.Errorf("a condition made by Fn::ForEach in Conditions: %+v", prod.AuthenticationMode)
	}
}

// TestForEachShapes covers nested loops, loops in properties, and templates CloudFormation rejects.
func TestForEachShapes(t *testing.T) {
	const head = "Transform: AWS::LanguageExtensions\nResources:\n"
	tests := []struct {
		name, text string
		clusters   string // names, comma-separated
		problem    string // substring; "" for none
		line       int
	}{
		{name: "nested loops", text: head + "  Fn::ForEach::Outer:\n    - Env\n    - [dev, prod]\n    - Fn::ForEach::Inner:\n        - Region\n        - [euw1, use1]\n        - C${Env}${Region}:\n            Type: AWS::EKS::Cluster\n",
			clusters: "Cdeveuw1,Cdevuse1,Cprodeuw1,Cproduse1"},
		{name: "loop in the properties of a plain cluster", text: head + "  C:\n    Type: AWS::EKS::Cluster\n    Properties:\n      ResourcesVpcConfig:\n        Fn::ForEach::Flags:\n          - Flag\n          - [Public, Private]\n          - Endpoint${Flag}Access: false\n",
			clusters: "C"},
		{name: "duplicate logical ID", text: head + "  Cdev:\n    Type: AWS::EKS::Cluster\n  Fn::ForEach::L:\n    - Env\n    - [dev]\n    - C${Env}:\n        Type: AWS::EKS::Cluster\n",
			clusters: "Cdev", problem: `Fn::ForEach::L makes a second resource "Cdev"`, line: 8},
		{name: "logical ID not alphanumeric", text: head + "  Fn::ForEach::L:\n    - Env\n    - [dev-1]\n    - C${Env}:\n        Type: AWS::EKS::Cluster\n",
			problem: `makes the logical ID "Cdev-1", which is not alphanumeric`, line: 6},
		{name: "malformed loop", text: head + "  Fn::ForEach::L:\n    - Env\n    - C${Env}:\n        Type: AWS::EKS::Cluster\n",
			problem: "Fn::ForEach::L must be [Identifier, Collection, {OutputKey: OutputValue}]", line: 3},
		{name: "collection of mappings", text: head + "  Fn::ForEach::L:\n    - Env\n    - [{a: b}]\n    - C${Env}:\n        Type: AWS::EKS::Cluster\n",
			problem: "the collection of Fn::ForEach::L has an item that is a mapping", line: 3},
		{name: "too deeply nested", text: head + nest(7), problem: "Fn::ForEach::LG is nested 6 loops deep", line: 21},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res := scan(&iac.File{Name: "t.yaml", Path: "t.yaml", Data: []byte(tt.text)})
			var names []string
			for _, r := range res.Resources {
				names = append(names, r.Cluster.Name)
			}
			if got := strings.Join(names, ","); got != tt.clusters {
				t.Errorf("clusters %q, want %q", got, tt.clusters)
			}
			switch {
			case tt.problem == "" && len(res.Problems) > 0:
				t.Errorf("problems %v", res.Problems)
			case tt.problem != "" && (len(res.Problems) != 1 || !strings.Contains(res.Problems[0].Message, tt.problem) || res.Problems[0].Line != tt.line):
				t.Errorf("problems %v, want one at line %d with %q", res.Problems, tt.line, tt.problem)
			}
		})
	}
	res := scan(&iac.File{Name: "t.yaml", Path: "t.yaml", Data: []byte(tests[1].text)})
	if c := res.Resources[0].Cluster; c.EndpointPublicAccess.Value || c.EndpointPublicAccess.Origin != model.OriginExplicit || c.EndpointPrivateAccess.Value {
		t.Errorf("keys made by a loop in the properties: %+v %+v", c.EndpointPublicAccess, c.EndpointPrivateAccess)
	}
}

// nest is n loops, each within the one before, around one cluster.
func nest(n int) string {
	var b strings.Builder
	ind, key := "  ", "C"
	for i := range n {
		id := string(rune('A' + i))
		key += "${" + id + "}"
		if i == 0 {
			b.WriteString(ind)
		}
		b.WriteString("Fn::ForEach::L" + id + ":\n" + ind + "  - " + id + "\n" + ind + "  - [x]\n" + ind + "  - ")
		ind += "    "
		if i == n-1 {
			b.WriteString(key + ":\n" + ind + "Type: AWS::EKS::Cluster\n")
		}
	}
	return b.String()
}

// TestForEachFix: a fix writes into the template fragment what does not depend on the identifier,
// for every cluster of the loop, and refuses what does, with why.
func TestForEachFix(t *testing.T) {
	for _, name := range []string{"foreach.yaml", "foreach.json"} {
		t.Run(name, func(t *testing.T) {
			path := "testdata/" + name
			orig := readFile(t, path, false)
			res := scan(orig)
			r := findResource(res, "EksClusterdev")
			_, skipped, err := iac.PlanFix(*r, model.Settings{EndpointPublicAccess: model.Ptr(false)})
			if err != nil || !strings.Contains(skipped[model.FieldEndpointPublicAccess], "depends on the identifier Env of Fn::ForEach::Clusters, so it differs per cluster") {
				t.Errorf("public endpoint from the identifier: skipped %q, err %v", skipped, err)
			}
			fix, skipped, err := iac.PlanFix(*r, model.Settings{EnabledLogTypes: model.LogTypes, EndpointPrivateAccess: model.Ptr(true)})
			if err != nil || len(skipped) > 0 || fix == nil {
				t.Fatalf("fix %v, skipped %v, err %v", fix, skipped, err)
			}
			if !strings.Contains(fix.Description, "in the template fragment of Fn::ForEach::Clusters, so every cluster it declares gets it") {
				t.Errorf("description %q", fix.Description)
			}
			patched, err := finding.ApplyEdits(orig.Data, fix.Edits)
			if err != nil {
				t.Fatal(err)
			}
			again := scan(&iac.File{Name: path, Path: path, Data: patched})
			if len(again.Problems) > 0 {
				t.Fatalf("%v\n%s", again.Problems, patched)
			}
			for _, id := range []string{"EksClusterdev", "EksClusterprod"} {
				c := findResource(again, id).Cluster
				if strings.Join(c.EnabledLogTypes.Values, ",") != strings.Join(model.LogTypes, ",") || c.EnabledLogTypes.Origin != model.OriginExplicit {
					t.Errorf("%s logs %+v after the fix:\n%s", id, c.EnabledLogTypes, patched)
				}
			}
			golden := filepath.Join("testdata", "fix", "foreach-"+strings.ReplaceAll(name, ".", "-")+".golden")
			if *update {
				os.WriteFile(golden, patched, 0o644)
			}
			if want, err := os.ReadFile(golden); err != nil || string(want) != string(patched) {
				t.Errorf("patched file differs from %s (go test -update):\n%s", golden, patched)
			}
		})
	}
	res := scan(&iac.File{Name: "t.yaml", Path: "t.yaml", Data: []byte("Transform: AWS::LanguageExtensions\nResources:\n  C:\n    Type: AWS::EKS::Cluster\n    Properties:\n      ResourcesVpcConfig:\n        Fn::ForEach::Flags:\n          - Flag\n          - [Public]\n          - Endpoint${Flag}Access: true\n")})
	_, skipped, err := iac.PlanFix(res.Resources[0], model.Settings{EndpointPublicAccess: model.Ptr(false)})
	if err != nil || !strings.Contains(skipped[model.FieldEndpointPublicAccess], "Properties.ResourcesVpcConfig is partly made by Fn::ForEach::Flags") {
		t.Errorf("a mapping a loop builds: skipped %q, err %v", skipped, err)
	}
}
