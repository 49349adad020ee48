package cloudformation

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/eksguard/eksguard/internal/check"
	"github.com/eksguard/eksguard/internal/finding"
	"github.com/eksguard/eksguard/internal/model"
	"github.com/eksguard/eksguard/internal/source/iac"
)

// addonText is an add-on as the tests compare it: name, version, and its configuration values with
// origin and line.
func addonText(a model.Addon) string {
	line := 0
	if a.ConfigurationValues.Loc != nil {
		line = a.ConfigurationValues.Loc.Line
	}
	cv := a.ConfigurationValues.Value
	if !a.ConfigurationValues.Known() {
		cv = a.ConfigurationValues.Detail
	}
	return fmt.Sprintf("%s %s %s@%d %s", a.Name, a.Version, a.ConfigurationValues.Origin, line, cv)
}

// TestAddons covers AWS::EKS::Addon resources: which cluster each joins (Ref to its logical ID, a
// literal or a parameter equal to its Name, the same parameter without a value), what is read of it,
// and the network policy verdict that follows.
func TestAddons(t *testing.T) {
	P, F, U := finding.Pass, finding.Fail, finding.Unknown
	tests := []struct {
		name, file, cluster string
		// addons are addonText of each add-on the cluster gets, in template order; nil for no
		// add-ons part at all.
		addons []string
		policy finding.Status // "" when the check does not apply
		line   int
		note   string
	}{
		{name: "Ref, and a literal equal to a Name from a parameter", file: "addons.yaml", cluster: "Prod",
			addons: []string{
				`vpc-cni v1.19.2-eksbuild.1 explicit@34 {"enableNetworkPolicy":"true"}`,
				`coredns  default@35 `,
			}, policy: P, line: 34},
		{name: "parameter without a value names the cluster named by it", file: "addons.yaml", cluster: "Staging",
			addons: []string{
				"vpc-cni  unknown@63 Fn::ImportValue shared-cni-configuration is only known at deploy time",
				"kube-proxy  unknown@70 add-on StagingProxy: created only when condition IsProd holds, which cannot be evaluated (parameter Stage has no Default)",
			}, policy: U, line: 63, note: "add-on StagingUnnamed is not read: its AddonName is unknown (parameter Stage has no Default)"},
		{name: "cluster without add-ons", file: "addons.yaml", cluster: "Bare"},
		{name: "json with a byte order mark and CRLF", file: "addons.json", cluster: "Cluster",
			addons: []string{
				`vpc-cni  explicit@21 {"enableNetworkPolicy":"false","nodeAgent":{"enabled":"true"}}`,
				"coredns  default@29 ",
				"kube-proxy  unknown@37 ConfigurationValues is a mapping, not a string, which CloudFormation rejects (it takes the configuration as JSON text)",
			}, policy: F, line: 21},
		{name: "template of the check's example", file: "cluster-and-ecr.yaml", cluster: "Cluster"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res := scan(readFile(t, "testdata/parts/"+tt.file, false))
			if len(res.Problems) > 0 {
				t.Fatalf("problems %v", res.Problems)
			}
			r := findResource(res, tt.cluster)
			if r == nil {
				t.Fatalf("no cluster %s", tt.cluster)
			}
			c := r.Cluster
			var got []string
			for _, a := range c.Addons {
				got = append(got, addonText(a))
			}
			if strings.Join(got, "\n") != strings.Join(tt.addons, "\n") {
				t.Errorf("add-ons:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(tt.addons, "\n"))
			}
			if c.Parts.Has(model.PartAddons) != (tt.addons != nil) || len(c.Parts) > 1 {
				t.Errorf("parts %v", c.Parts)
			}
			if applies := check.NetworkPolicy.Applies(c); applies != (tt.policy != "") {
				t.Fatalf("network policy applies %v", applies)
			}
			if tt.policy != "" {
				o := check.NetworkPolicy.Evaluate(c)
				if o.Status != tt.policy || o.Location == nil || o.Location.Line != tt.line || o.Location.File != c.Loc.File {
					t.Errorf("network policy %s at %+v, want %s at line %d (%s)", o.Status, o.Location, tt.policy, tt.line, o.Reason)
				}
			}
			if !strings.Contains(strings.Join(c.Notes, "\n"), tt.note) {
				t.Errorf("notes %q lack %q", c.Notes, tt.note)
			}
		})
	}
}

// repoText is a repository as the tests compare it.
func repoText(r model.Repository) string {
	line := 0
	if r.ScanOnPush.Loc != nil {
		line = r.ScanOnPush.Loc.Line
	}
	return fmt.Sprintf("%s %v %s@%d %s", r.Name, r.ScanOnPush.Value, r.ScanOnPush.Origin, line, r.ScanOnPush.Detail)
}

// TestRegistry covers the ECR resources of a template: one registry per template, its repositories
// with their scan on push, the scan type and rules, and the verdict of the image scanning check.
func TestRegistry(t *testing.T) {
	P, U := finding.Pass, finding.Unknown
	tests := []struct {
		name, file string
		line       int // of the registry: its first repository
		scanType   string
		rules      []string
		repos      []string
		verdict    finding.Status
		reason     string
	}{
		{name: "ECR only, without a version, with parameters and Fn::Sub", file: "ecr-only.yaml", line: 10,
			scanType: "ENHANCED explicit@33 ",
			rules:    []string{"CONTINUOUS_SCAN [payments/*]@35", "SCAN_ON_PUSH [Worker legacy]@39"},
			repos: []string{
				"payments/api true explicit@15 ",
				"Worker false default@16 " + noScanOnPush,
				"payments/batch false unknown@23 parameter ScanOnPush has no Default",
				"legacy false explicit@29 ",
			}, verdict: P, reason: "all 4 repositories"},
		{name: "byte order mark and CRLF, AWS::NoValue, a condition, a scan type without a value", file: "ecr-crlf.yaml", line: 8,
			scanType: "unknown@22 parameter ScanType has no Default",
			repos:    []string{"images false default@13 " + noScanOnPush + " (AWS::NoValue)"},
			verdict:  U, reason: "scan type is unknown"},
		{name: "beside a cluster", file: "cluster-and-ecr.yaml", line: 12,
			scanType: "BASIC explicit@19 ",
			rules:    []string{"SCAN_ON_PUSH [*]@21"},
			repos:    []string{"team/images false default@12 " + noScanOnPush},
			verdict:  P, reason: "the one repository"},
		{name: "CDK output: the logical ID names the repository", file: "cdk.out/RegistryStack.template.json", line: 3,
			scanType: "BASIC default@0 " + noScanning,
			repos:    []string{"Repo02AC86CF true explicit@7 "},
			verdict:  P, reason: noScanning},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := "testdata/parts/" + tt.file
			res := scan(readFile(t, path, false))
			if len(res.Problems) > 0 || len(res.Claimed) != 1 {
				t.Fatalf("problems %v, claimed %v", res.Problems, res.Claimed)
			}
			if len(res.Registries) != 1 {
				t.Fatalf("%d registries, want 1", len(res.Registries))
			}
			reg := res.Registries[0]
			if reg.Source != model.SourceCloudFormation || reg.Root != "" || reg.Loc == nil || reg.Loc.File != path || reg.Loc.Line != tt.line {
				t.Errorf("source %s root %q location %+v, want line %d", reg.Source, reg.Root, reg.Loc, tt.line)
			}
			line := 0
			if reg.ScanType.Loc != nil {
				line = reg.ScanType.Loc.Line
			}
			st := fmt.Sprintf("%s %s@%d %s", reg.ScanType.Value, reg.ScanType.Origin, line, reg.ScanType.Detail)
			if reg.ScanType.Value == "" {
				st = fmt.Sprintf("%s@%d %s", reg.ScanType.Origin, line, reg.ScanType.Detail)
			}
			if st != tt.scanType {
				t.Errorf("scan type %q, want %q", st, tt.scanType)
			}
			var rules, repos []string
			for _, r := range reg.Rules {
				rules = append(rules, fmt.Sprintf("%s %v@%d", r.Frequency, r.Filters, r.Loc.Line))
			}
			for _, r := range reg.Repositories {
				repos = append(repos, repoText(r))
			}
			if strings.Join(rules, "\n") != strings.Join(tt.rules, "\n") {
				t.Errorf("rules:\n%s\nwant:\n%s", strings.Join(rules, "\n"), strings.Join(tt.rules, "\n"))
			}
			if strings.Join(repos, "\n") != strings.Join(tt.repos, "\n") {
				t.Errorf("repositories:\n%s\nwant:\n%s", strings.Join(repos, "\n"), strings.Join(tt.repos, "\n"))
			}
			o := check.ImageScanning.EvaluateRegistry(reg)
			if o.Status != tt.verdict || !strings.Contains(o.Reason, tt.reason) {
				t.Errorf("image scanning %s (%s), want %s with %q", o.Status, o.Reason, tt.verdict, tt.reason)
			}
			for _, r := range res.Resources {
				if len(r.Cluster.Parts) > 0 {
					t.Errorf("cluster %s has parts %v: the registry is not a part of a cluster", r.Cluster.Name, r.Cluster.Parts)
				}
			}
		})
	}
}

// TestRegistryScanningConfiguration covers the registry scanning configurations a stack may or may
// not create, and the ones whose rules cannot be read: anything unknown makes the scan type unknown.
func TestRegistryScanningConfiguration(t *testing.T) {
	const repo = "Resources:\n  Repo:\n    Type: AWS::ECR::Repository\n"
	scanning := func(id, body string) string {
		return "  " + id + ":\n    Type: AWS::ECR::RegistryScanningConfiguration\n" + body
	}
	tests := []struct {
		name, text string
		origin     model.Origin
		detail     string
		rules      int
	}{
		{name: "none", text: repo, origin: model.OriginDefault, detail: noScanning},
		{name: "not created", text: "Conditions:\n  Never: !Equals [a, b]\n" + repo + scanning("S", "    Condition: Never\n    Properties: {ScanType: ENHANCED, Rules: []}\n"),
			origin: model.OriginDefault, detail: "AWS::ECR::RegistryScanningConfiguration S is not created (its Condition is false)"},
		{name: "created only on a condition that cannot be evaluated", text: "Parameters:\n  Stage: {Type: String}\nConditions:\n  Prod: !Equals [!Ref Stage, prod]\n" + repo + scanning("S", "    Condition: Prod\n    Properties: {ScanType: ENHANCED, Rules: []}\n"),
			origin: model.OriginUnknown, detail: "AWS::ECR::RegistryScanningConfiguration S: created only when condition Prod holds"},
		{name: "two of them", text: repo + scanning("A", "    Properties: {ScanType: BASIC, Rules: []}\n") + scanning("B", "    Properties: {ScanType: ENHANCED, Rules: []}\n"),
			origin: model.OriginUnknown, detail: "declares 2 AWS::ECR::RegistryScanningConfiguration resources (A, B)"},
		{name: "scan type that CloudFormation rejects", text: repo + scanning("S", "    Properties: {ScanType: enhanced, Rules: []}\n"),
			origin: model.OriginUnknown, detail: `ScanType is "enhanced", not BASIC or ENHANCED`},
		{name: "rules from Fn::If on a condition that cannot be evaluated", text: "Parameters:\n  Stage: {Type: String}\nConditions:\n  Prod: !Equals [!Ref Stage, prod]\n" + repo +
			scanning("S", "    Properties:\n      ScanType: BASIC\n      Rules: !If [Prod, [{ScanFrequency: SCAN_ON_PUSH, RepositoryFilters: [{Filter: '*', FilterType: WILDCARD}]}], []]\n"),
			origin: model.OriginUnknown, detail: "condition Prod"},
		{name: "rule without filters", text: repo + scanning("S", "    Properties:\n      ScanType: BASIC\n      Rules: [{ScanFrequency: SCAN_ON_PUSH}]\n"),
			origin: model.OriginUnknown, detail: "Rules[0] has no RepositoryFilters"},
		{name: "rules left out with AWS::NoValue", text: repo + scanning("S", "    Properties: {ScanType: ENHANCED, Rules: !Ref AWS::NoValue}\n"),
			origin: model.OriginExplicit},
		{name: "rules in JSON long form", text: `{"Resources": {"Repo": {"Type": "AWS::ECR::Repository"}, "S": {"Type": "AWS::ECR::RegistryScanningConfiguration",
			"Properties": {"ScanType": "BASIC", "Rules": [{"ScanFrequency": "SCAN_ON_PUSH", "RepositoryFilters": [{"Filter": {"Fn::Join": ["/", ["team", "*"]]}, "FilterType": "WILDCARD"}]}]}}}}`,
			origin: model.OriginExplicit, rules: 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res := scan(&iac.File{Name: "t.template", Path: "t.template", Data: []byte(tt.text)})
			if len(res.Problems) > 0 || len(res.Registries) != 1 {
				t.Fatalf("problems %v, %d registries", res.Problems, len(res.Registries))
			}
			reg := res.Registries[0]
			if reg.ScanType.Origin != tt.origin || !strings.Contains(reg.ScanType.Detail, tt.detail) || len(reg.Rules) != tt.rules {
				t.Errorf("scan type %+v with %d rules; want %s with %q and %d rules", reg.ScanType, len(reg.Rules), tt.origin, tt.detail, tt.rules)
			}
			if len(reg.Repositories) != 1 || reg.Repositories[0].Name != "Repo" {
				t.Errorf("repositories %+v", reg.Repositories)
			}
		})
	}
}

// TestPartsForEach: add-ons and repositories declared by Fn::ForEach are expanded as clusters are.
func TestPartsForEach(t *testing.T) {
	text := `Transform: AWS::LanguageExtensions
Resources:
  Cluster:
    Type: AWS::EKS::Cluster
    Properties:
      Name: prod
  Fn::ForEach::Addons:
    - Addon
    - [vpc-cni, coredns]
    - Addon&{Addon}:
        Type: AWS::EKS::Addon
        Properties:
          ClusterName: !Ref Cluster
          AddonName: !Ref Addon
  Fn::ForEach::Repos:
    - Team
    - [api, web]
    - Repo${Team}:
        Type: AWS::ECR::Repository
        Properties:
          RepositoryName: !Sub team/${Team}
          ImageScanningConfiguration:
            ScanOnPush: true
`
	res := scan(&iac.File{Name: "t.yaml", Path: "t.yaml", Data: []byte(text)})
	if len(res.Problems) > 0 || len(res.Resources) != 1 || len(res.Registries) != 1 {
		t.Fatalf("problems %v, %d clusters, %d registries", res.Problems, len(res.Resources), len(res.Registries))
	}
	var addons, repos []string
	for _, a := range res.Resources[0].Cluster.Addons {
		addons = append(addons, addonText(a))
	}
	for _, r := range res.Registries[0].Repositories {
		repos = append(repos, repoText(r))
	}
	if want := "vpc-cni  default@10 \ncoredns  default@10 "; strings.Join(addons, "\n") != want {
		t.Errorf("add-ons:\n%s\nwant:\n%s", strings.Join(addons, "\n"), want)
	}
	if want := "team/api true explicit@23 \nteam/web true explicit@23 "; strings.Join(repos, "\n") != want {
		t.Errorf("repositories:\n%s\nwant:\n%s", strings.Join(repos, "\n"), want)
	}
}

// TestNoParts: templates without add-ons or ECR resources give no parts and no registry, so their
// clusters are judged as before; a template of neither EKS nor ECR stays unclaimed.
func TestNoParts(t *testing.T) {
	var files []*iac.File
	_ = filepath.WalkDir("testdata", func(p string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() && d.Name() == "parts" {
			return filepath.SkipDir
		}
		if !d.IsDir() && !strings.HasSuffix(p, ".golden") && !strings.Contains(p, "fuzz") {
			files = append(files, readFile(t, filepath.ToSlash(p), false))
		}
		return nil
	})
	if len(files) < 20 {
		t.Fatalf("only %d files", len(files))
	}
	res := scan(files...)
	if len(res.Resources) < 20 {
		t.Fatalf("only %d clusters", len(res.Resources))
	}
	for _, r := range res.Resources {
		if c := r.Cluster; len(c.Parts) > 0 || len(c.Addons) > 0 {
			t.Errorf("%s (%s): parts %v, add-ons %v", c.Name, c.Loc.File, c.Parts, c.Addons)
		}
	}
	if len(res.Registries) > 0 {
		t.Errorf("registries %+v", res.Registries)
	}
	other := scan(readFile(t, "testdata/parts/no-eks.yaml", false))
	if len(other.Claimed)+len(other.Registries)+len(other.Resources)+len(other.Problems) > 0 {
		t.Errorf("a template of neither EKS nor ECR: %+v", other)
	}
}
