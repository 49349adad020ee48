package check

import (
	"encoding/json"
	"fmt"
	"strings"

	"github.com/eksguard/eksguard/internal/finding"
	"github.com/eksguard/eksguard/internal/model"
)

// ScanEvidence is what the image scanning check saw of a registry.
type ScanEvidence struct {
	ScanType       string           `json:"scanType,omitempty"`
	ScanTypeOrigin model.Origin     `json:"scanTypeOrigin"`
	Rules          []model.ScanRule `json:"rules"`
	Repositories   int              `json:"repositories"`
	// ScannedByRegistry and ScannedOnPush count the repositories covered by a registry rule and by
	// their own scan-on-push setting.
	ScannedByRegistry int `json:"scannedByRegistry"`
	ScannedOnPush     int `json:"scannedOnPush"`
	Unscanned         int `json:"unscanned"`
	// UnscannedRepositories are the first 20 unscanned repositories, by name.
	UnscannedRepositories []string `json:"unscannedRepositories"`
	// UnknownRepositories are repositories whose own setting cannot be known (IaC).
	UnknownRepositories []string `json:"unknownRepositories,omitempty"`
	Note                string   `json:"note,omitempty"`
}

// maxNamed is how many offending resources a reason or evidence names before "and N more".
const maxNamed = 20

// ImageScanning passes when every ECR repository of a region is scanned for vulnerabilities, by a
// registry scanning rule or by its own scan on push. It is judged per account and region, on the
// registry, not per cluster: images reach every cluster of the account from there.
var ImageScanning = register(&Check{
	ID:       "ecr-image-scanning",
	Title:    "Container images scanned for vulnerabilities in Amazon ECR",
	Summary:  "every ECR repository is scanned by a registry rule or on push",
	Severity: SeverityMedium,
	Rationale: "Images with known vulnerabilities are the commonest way a flaw reaches a cluster. ECR scans " +
		"images on push (basic scanning) or continuously with Amazon Inspector (enhanced scanning), but only " +
		"for the repositories its scanning configuration covers; an image pushed to any other repository is " +
		"never looked at.",
	Links: []Link{
		{Title: "Scan images for software vulnerabilities in Amazon ECR", URL: "https://docs.aws.amazon.com/AmazonECR/latest/userguide/image-scanning.html"},
		{Title: "Filters to choose which repositories are scanned", URL: "https://docs.aws.amazon.com/AmazonECR/latest/userguide/image-scanning-filters.html"},
		{Title: "CIS Amazon EKS Benchmark", URL: "https://www.cisecurity.org/benchmark/kubernetes"},
	},
	Parts: []model.Part{model.PartRegistry},
	Calls: []APICall{
		{Action: "ecr:GetRegistryScanningConfiguration", What: "the registry's scan type and scanning rules with their repository filters"},
		{Action: "ecr:DescribeRepositories", What: "every repository (every page) and its imageScanningConfiguration.scanOnPush"},
	},
	IaC: []IaCField{
		{FormatTerraform, "aws_ecr_repository.image_scanning_configuration.scan_on_push; aws_ecr_registry_scanning_configuration.scan_type and rule { scan_frequency, repository_filter { filter } }",
			"scan_on_push false; without an aws_ecr_registry_scanning_configuration in the tree, basic scanning with no rules (the registry's default)"},
		{FormatCloudFormationYAML, "AWS::ECR::Repository Properties.ImageScanningConfiguration.ScanOnPush; AWS::ECR::RegistryScanningConfiguration Properties.ScanType and Rules",
			"ScanOnPush false; without an AWS::ECR::RegistryScanningConfiguration, basic scanning with no rules"},
	},
	PassRule: "Every repository is covered: with ENHANCED scanning, by a SCAN_ON_PUSH or CONTINUOUS_SCAN rule whose " +
		"filter matches its name; with BASIC scanning and scan-on-push rules, by a SCAN_ON_PUSH rule whose filter " +
		"matches (the rules replace the repositories' own setting); with BASIC scanning and no rules, by the " +
		"repository's own scanOnPush. A filter without * matches names that contain it; * stands for any run of " +
		"characters. A region with no repositories passes. A third-party scanner is for a waiver.",
	Defaults: "A registry with no scanning configuration uses BASIC scanning with no rules, and a repository is " +
		"created with scanOnPush false: nothing is scanned until someone asks.",
	AdviceIaC: "set image_scanning_configuration { scan_on_push = true } on each aws_ecr_repository (CloudFormation " +
		"ImageScanningConfiguration.ScanOnPush: true), or declare a registry scanning configuration whose rules cover every " +
		"repository (aws_ecr_registry_scanning_configuration, AWS::ECR::RegistryScanningConfiguration)",
	Advice: "scan every repository: aws ecr put-registry-scanning-configuration --region REGION --scan-type BASIC --rules " +
		`'[{"scanFrequency":"SCAN_ON_PUSH","repositoryFilters":[{"filter":"*","filterType":"WILDCARD"}]}]' ` +
		"(or --scan-type ENHANCED with CONTINUOUS_SCAN for Amazon Inspector, which is charged per image)",
	judgeRegistry: judgeScanning,
	Examples: []Example{
		ecrTFExample("every repository scanned on push", finding.Pass, "scan_on_push = true", ""),
		ecrTFExample("scan on push off", finding.Fail, "scan_on_push = false", ""),
		ecrTFExample("registry rule covers every repository", finding.Pass, "scan_on_push = false", registryRuleTF),
		ecrCFNExample("scan on push", finding.Pass, "ScanOnPush: true"),
		ecrCFNExample("defaults: not scanned", finding.Fail, ""),
	},
})

const registryRuleTF = `resource "aws_ecr_registry_scanning_configuration" "this" {
  scan_type = "ENHANCED"
  rule {
    scan_frequency = "CONTINUOUS_SCAN"
    repository_filter {
      filter      = "*"
      filter_type = "WILDCARD"
    }
  }
}
`

func judgeScanning(r *model.Registry) Outcome {
	ev := &ScanEvidence{ScanType: r.ScanType.Value, ScanTypeOrigin: origin(r.ScanType.Origin), Rules: r.Rules,
		Repositories: len(r.Repositories), UnscannedRepositories: []string{}}
	if ev.Rules == nil {
		ev.Rules = []model.ScanRule{}
	}
	o := Outcome{Evidence: ev, Location: r.Loc}
	where := registryName(r)
	if !r.ScanType.Known() {
		o.Status = finding.Unknown
		o.Reason = "the registry's scan type is unknown (" + r.ScanType.Detail + "), so which repositories are scanned cannot be judged"
		return o
	}
	if len(r.Repositories) == 0 {
		ev.Note = "no repositories"
		o.Status, o.Reason = finding.Pass, "no repositories "+where+": nothing to scan"
		return o
	}
	enhanced := r.ScanType.Value == "ENHANCED"
	byRules := enhanced || len(r.Rules) > 0
	var unscanned []string
	var unknown []string
	var firstLoc *model.Location
	for _, repo := range r.Repositories {
		switch {
		case byRules && ruleCovers(r.Rules, repo.Name, enhanced):
			ev.ScannedByRegistry++
		case byRules:
			unscanned = append(unscanned, repo.Name)
			if firstLoc == nil {
				firstLoc = repo.Loc
			}
		case !repo.ScanOnPush.Known():
			unknown = append(unknown, repo.Name)
		case repo.ScanOnPush.Value:
			ev.ScannedOnPush++
		default:
			unscanned = append(unscanned, repo.Name)
			if firstLoc == nil {
				firstLoc = repo.Loc
			}
		}
	}
	ev.Unscanned = len(unscanned)
	ev.UnscannedRepositories, _ = firstN(unscanned, maxNamed)
	ev.UnknownRepositories, _ = firstN(unknown, maxNamed)
	mode := "basic scanning with no registry rules, so each repository's own scan on push decides"
	switch {
	case enhanced:
		mode = "enhanced scanning: only repositories matching a SCAN_ON_PUSH or CONTINUOUS_SCAN rule are scanned"
	case byRules:
		mode = "basic scanning with registry rules, which replace the repositories' own setting"
	}
	switch {
	case len(unscanned) > 0:
		o.Status = finding.Fail
		o.Location = firstLoc
		verb := "are"
		if len(unscanned) == 1 {
			verb = "is"
		}
		o.Reason = fmt.Sprintf("%d of the %s %s %s not scanned for vulnerabilities (%s): %s",
			len(unscanned), count(len(r.Repositories), "repository", "repositories"), where, verb, mode, nameList(unscanned, maxNamed))
	case len(unknown) > 0:
		o.Status = finding.Unknown
		o.Reason = fmt.Sprintf("whether %s on push is unknown: %s", count(len(unknown), "repository scans", "repositories scan"), nameList(unknown, maxNamed))
	default:
		o.Status = finding.Pass
		all := fmt.Sprintf("all %d repositories %s are scanned", len(r.Repositories), where)
		if len(r.Repositories) == 1 {
			all = fmt.Sprintf("the one repository %s is scanned", where)
		}
		o.Reason = fmt.Sprintf("%s (%s)", all, mode)
	}
	if r.ScanType.Origin == model.OriginDefault && r.ScanType.Detail != "" {
		o.Reason += " (" + r.ScanType.Detail + ")"
	}
	if o.Status == finding.Fail && r.Source.Live() {
		rules, _ := json.Marshal([]map[string]any{{"scanFrequency": "SCAN_ON_PUSH", "repositoryFilters": []map[string]string{{"filter": "*", "filterType": "WILDCARD"}}}})
		o.Remediation = fmt.Sprintf("aws ecr put-registry-scanning-configuration --region %s --scan-type BASIC --rules %s "+
			"(or --scan-type ENHANCED with CONTINUOUS_SCAN for Amazon Inspector, charged per image; a third-party scanner is for a waiver)",
			shellQuote(r.Region), shellQuote(string(rules)))
	}
	return o
}

// registryName words where repositories are, after the word "repositories": "in the registry of
// account 1 in eu-west-1", "declared in this folder".
func registryName(r *model.Registry) string {
	switch {
	case r.Account != "" && r.Region != "":
		return fmt.Sprintf("in the registry of account %s in %s", r.Account, r.Region)
	case r.Region != "":
		return "in the registry in " + r.Region
	case r.Root == ".":
		return "declared in this folder"
	case r.Root != "":
		return "declared under " + r.Root
	case r.Loc != nil && r.Loc.File != "":
		return "declared in " + r.Loc.File
	}
	return "in the registry"
}

// ruleCovers reports whether a scanning rule that scans (not MANUAL) matches the repository.
func ruleCovers(rules []model.ScanRule, repo string, enhanced bool) bool {
	for _, rule := range rules {
		scans := rule.Frequency == "SCAN_ON_PUSH" || (enhanced && rule.Frequency == "CONTINUOUS_SCAN")
		if !scans {
			continue
		}
		for _, f := range rule.Filters {
			if FilterMatches(f, repo) {
				return true
			}
		}
	}
	return false
}

// FilterMatches applies an ECR repository filter as ECR does: a filter without a wildcard matches
// every name that contains it; with *, each * stands for zero or more characters and the whole
// name must match.
func FilterMatches(filter, name string) bool {
	if !strings.Contains(filter, "*") {
		return strings.Contains(name, filter)
	}
	return globMatch(filter, name)
}

// globMatch matches * (any run of characters) without backtracking blow-up: a greedy walk that
// remembers the last star.
func globMatch(pattern, s string) bool {
	p, i, star, mark := 0, 0, -1, 0
	for i < len(s) {
		switch {
		case p < len(pattern) && pattern[p] == '*':
			star, mark = p, i
			p++
		case p < len(pattern) && pattern[p] == s[i]:
			p++
			i++
		case star >= 0:
			p = star + 1
			mark++
			i = mark
		default:
			return false
		}
	}
	for p < len(pattern) && pattern[p] == '*' {
		p++
	}
	return p == len(pattern)
}
