package render

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"io"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"

	"github.com/eksguard/eksguard/internal/benchmark"
	"github.com/eksguard/eksguard/internal/finding"
)

// SARIF 2.1.0 as GitHub code scanning reads it.
//
// Rules are the benchmark's evaluated controls, with ids "CIS-EKS-<control>" (the benchmark id in
// capitals, then the control number): that is how people name them and search for them, and it stays
// stable for a benchmark version. The permanent check id is the rule's name and is in its
// properties. Every evaluated control is listed, with or without results, so that a rule with
// nothing to report still closes its old alerts.
//
// Results: FAIL is level "error"; UNKNOWN is "warning" (not a failure, but nobody has shown it
// passes, and "note" would hide it from the default views); MANUAL is "note". PASS is not written:
// SARIF results are things to look at. ERROR results and input problems are not findings about code
// but about the run, so they are toolExecutionNotifications of the invocation, which is then not
// successful. File locations are relative to %SRCROOT%, the working directory of the run (given in
// originalUriBaseIds); results without a file (a live scan) carry a logical location naming the
// cluster. partialFingerprints hold a hash of the rule, resource and file, without the line, so an
// alert survives edits that move it.

func init() { register("sarif", func(o Options) Writer { return sarifWriter{command: o.Command} }) }

type sarifWriter struct{ command string }

const (
	sarifSchema  = "https://json.schemastore.org/sarif-2.1.0.json"
	sarifVersion = "2.1.0"
	srcRoot      = "%SRCROOT%"
	// InformationURI is eksguard's home page, named in SARIF output.
	InformationURI = "https://github.com/eksguard/eksguard"
	// fingerprintKey names eksguard's partial fingerprint; the version changes if its inputs do.
	fingerprintKey = "eksguardResult/v1"
)

// getwd is the working directory names are relative to; tests fix it.
var getwd = os.Getwd

type sarifLog struct {
	Schema  string     `json:"$schema"`
	Version string     `json:"version"`
	Runs    []sarifRun `json:"runs"`
}

type sarifRun struct {
	Tool               sarifTool                   `json:"tool"`
	Invocations        []sarifInvocation           `json:"invocations"`
	OriginalURIBaseIDs map[string]sarifArtifactLoc `json:"originalUriBaseIds"`
	Results            []sarifResult               `json:"results"`
	Properties         map[string]string           `json:"properties,omitempty"`
}

type sarifTool struct {
	Driver sarifDriver `json:"driver"`
}

type sarifDriver struct {
	Name           string      `json:"name"`
	Version        string      `json:"version"`
	InformationURI string      `json:"informationUri"`
	Rules          []sarifRule `json:"rules"`
}

type sarifText struct {
	Text string `json:"text"`
}

type sarifMultiformat struct {
	Text     string `json:"text"`
	Markdown string `json:"markdown,omitempty"`
}

type sarifRule struct {
	ID                   string           `json:"id"`
	Name                 string           `json:"name"`
	ShortDescription     sarifText        `json:"shortDescription"`
	FullDescription      sarifText        `json:"fullDescription"`
	Help                 sarifMultiformat `json:"help"`
	HelpURI              string           `json:"helpUri"`
	DefaultConfiguration sarifRuleConfig  `json:"defaultConfiguration"`
	Properties           sarifRuleProps   `json:"properties"`
}

type sarifRuleConfig struct {
	Level string `json:"level"`
}

type sarifRuleProps struct {
	Tags             []string `json:"tags"`
	Precision        string   `json:"precision"`
	SecuritySeverity string   `json:"security-severity"`
	CheckID          string   `json:"checkId,omitempty"`
	Control          string   `json:"control"`
}

type sarifInvocation struct {
	ExecutionSuccessful bool                `json:"executionSuccessful"`
	Notifications       []sarifNotification `json:"toolExecutionNotifications"`
}

type sarifNotification struct {
	Level     string          `json:"level"`
	Message   sarifText       `json:"message"`
	Locations []sarifLocation `json:"locations,omitempty"`
}

type sarifResult struct {
	RuleID              string            `json:"ruleId"`
	RuleIndex           int               `json:"ruleIndex"`
	Level               string            `json:"level"`
	Message             sarifText         `json:"message"`
	Locations           []sarifLocation   `json:"locations"`
	PartialFingerprints map[string]string `json:"partialFingerprints"`
	Properties          map[string]string `json:"properties"`
}

type sarifLocation struct {
	PhysicalLocation *sarifPhysical `json:"physicalLocation,omitempty"`
	LogicalLocations []sarifLogical `json:"logicalLocations,omitempty"`
}

type sarifPhysical struct {
	ArtifactLocation sarifArtifactLoc `json:"artifactLocation"`
	Region           *sarifRegion     `json:"region,omitempty"`
}

type sarifArtifactLoc struct {
	URI         string     `json:"uri,omitempty"`
	URIBaseID   string     `json:"uriBaseId,omitempty"`
	Description *sarifText `json:"description,omitempty"`
}

type sarifRegion struct {
	StartLine int `json:"startLine"`
}

type sarifLogical struct {
	Name               string `json:"name"`
	FullyQualifiedName string `json:"fullyQualifiedName,omitempty"`
	Kind               string `json:"kind"`
}

// ruleText is what a rule says beyond the control's title, by permanent check id.
type ruleText struct {
	full, help, markdown, severity string
}

const endpointDoc = "https://docs.aws.amazon.com/eks/latest/userguide/cluster-endpoint.html"

var ruleTexts = map[string]ruleText{
	"eks-endpoint-restricted": {
		full: "The EKS API server endpoint must not be reachable from the whole internet: private endpoint access on, and the public endpoint either disabled or limited to an allowlist of CIDR blocks that covers neither every IPv4 nor every IPv6 address. An empty allowlist means 0.0.0.0/0.",
		help: "Turn private endpoint access on, and either turn public access off or restrict it to the networks that need it. " +
			"Terraform (aws_eks_cluster vpc_config): endpoint_private_access = true, endpoint_public_access = false, or public_access_cidrs = [\"203.0.113.0/24\"]. " +
			"CloudFormation (AWS::EKS::Cluster ResourcesVpcConfig): EndpointPrivateAccess: true, EndpointPublicAccess: false, or PublicAccessCidrs. " +
			"eksctl: vpc.clusterEndpoints.privateAccess: true, publicAccess: false, or vpc.publicAccessCIDRs. " +
			"eksguard iac --format patch --target restrict --cidr CIDR writes the edit.",
		markdown: "Turn **private endpoint access on**, and either turn **public access off** or restrict it to the networks that need it. " +
			"An empty allowlist means `0.0.0.0/0`.\n\n" +
			"| Format | Settings |\n| --- | --- |\n" +
			"| Terraform `aws_eks_cluster` | `vpc_config { endpoint_private_access = true, endpoint_public_access = false }` or `public_access_cidrs = [\"203.0.113.0/24\"]` |\n" +
			"| CloudFormation `AWS::EKS::Cluster` | `ResourcesVpcConfig: { EndpointPrivateAccess: true, EndpointPublicAccess: false }` or `PublicAccessCidrs` |\n" +
			"| eksctl | `vpc.clusterEndpoints: { privateAccess: true, publicAccess: false }` or `vpc.publicAccessCIDRs` |\n\n" +
			"`eksguard iac --format patch --target restrict --cidr CIDR` writes the edit. See [Amazon EKS cluster endpoint access control](" + endpointDoc + ").",
		severity: "7.5",
	},
	"eks-endpoint-private": {
		full: "The EKS API server endpoint should be private only: private endpoint access on and public endpoint access off, so that the API server is reachable only from the cluster's VPC and connected networks. An allowlist does not count: the public endpoint still answers the internet.",
		help: "Turn private endpoint access on and public access off. " +
			"Terraform (aws_eks_cluster vpc_config): endpoint_private_access = true, endpoint_public_access = false. " +
			"CloudFormation (AWS::EKS::Cluster ResourcesVpcConfig): EndpointPrivateAccess: true, EndpointPublicAccess: false. " +
			"eksctl: vpc.clusterEndpoints.privateAccess: true, publicAccess: false. " +
			"Make sure the people and pipelines that use the API reach the VPC first (VPN, bastion, in-VPC CI). " +
			"eksguard iac --format patch writes the edit.",
		markdown: "Turn **private endpoint access on** and **public access off**. An allowlist does not count: the public endpoint still answers the internet.\n\n" +
			"| Format | Settings |\n| --- | --- |\n" +
			"| Terraform `aws_eks_cluster` | `vpc_config { endpoint_private_access = true, endpoint_public_access = false }` |\n" +
			"| CloudFormation `AWS::EKS::Cluster` | `ResourcesVpcConfig: { EndpointPrivateAccess: true, EndpointPublicAccess: false }` |\n" +
			"| eksctl | `vpc.clusterEndpoints: { privateAccess: true, publicAccess: false }` |\n\n" +
			"Make sure the people and pipelines that use the API reach the VPC first (VPN, bastion, in-VPC CI). " +
			"`eksguard iac --format patch` writes the edit. See [Amazon EKS cluster endpoint access control](" + endpointDoc + ").",
		severity: "5.3",
	},
}

// RuleID is the SARIF rule id of a control: "CIS-EKS-5.4.1".
func RuleID(b finding.Benchmark, control string) string {
	id := b.ID
	if id == "" {
		id = "eksguard"
	}
	return strings.ToUpper(id) + "-" + control
}

func (s sarifWriter) Write(w io.Writer, r *finding.Report) error {
	rules, index := sarifRules(r)
	run := sarifRun{
		Tool:               sarifTool{Driver: sarifDriver{Name: r.Tool.Name, Version: r.Tool.Version, InformationURI: InformationURI, Rules: rules}},
		OriginalURIBaseIDs: map[string]sarifArtifactLoc{srcRoot: srcRootLocation()},
		Results:            []sarifResult{},
		Properties:         map[string]string{"benchmark": r.Benchmark.ID, "benchmarkVersion": r.Benchmark.Version},
	}
	if s.command != "" {
		run.Properties["command"] = s.command
	}
	if run.Tool.Driver.Name == "" {
		run.Tool.Driver.Name = "eksguard"
	}
	inv := sarifInvocation{ExecutionSuccessful: len(r.Problems) == 0, Notifications: []sarifNotification{}}
	for _, p := range r.Problems {
		inv.Notifications = append(inv.Notifications, problemNotification(p))
	}
	for _, res := range r.Results {
		level := ""
		switch res.Status {
		case finding.Fail:
			level = "error"
		case finding.Unknown:
			level = "warning"
		case finding.Manual:
			level = "note"
		case finding.Error:
			inv.ExecutionSuccessful = false
			inv.Notifications = append(inv.Notifications, sarifNotification{
				Level:     "error",
				Message:   sarifText{Text: res.Control + " " + resourceLabel(res) + ": " + res.Reason},
				Locations: []sarifLocation{location(res)},
			})
			continue
		default:
			continue
		}
		id := RuleID(r.Benchmark, res.Control)
		i, ok := index[id]
		if !ok {
			i = len(run.Tool.Driver.Rules)
			index[id] = i
			run.Tool.Driver.Rules = append(run.Tool.Driver.Rules, sarifRuleFor(r.Benchmark, res.Control, res.Title, res.CheckID))
		}
		props := map[string]string{"status": string(res.Status), "control": res.Control, "checkId": res.CheckID, "resourceType": res.Resource.Type, "resource": res.Resource.Name}
		if res.Remediation != "" {
			props["remediation"] = res.Remediation
		}
		run.Results = append(run.Results, sarifResult{
			RuleID:              id,
			RuleIndex:           i,
			Level:               level,
			Message:             sarifText{Text: resultMessage(res)},
			Locations:           []sarifLocation{location(res)},
			PartialFingerprints: map[string]string{fingerprintKey: fingerprint(id, res)},
			Properties:          props,
		})
	}
	run.Invocations = []sarifInvocation{inv}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	return enc.Encode(sarifLog{Schema: sarifSchema, Version: sarifVersion, Runs: []sarifRun{run}})
}

// sarifRules lists the rules of every control the benchmark evaluates, in benchmark order.
func sarifRules(r *finding.Report) ([]sarifRule, map[string]int) {
	rules := []sarifRule{}
	index := map[string]int{}
	b := benchmark.Default()
	if r.Benchmark.ID != b.ID || r.Benchmark.Version != b.Version {
		return rules, index
	}
	for _, c := range b.Evaluated() {
		id := RuleID(r.Benchmark, c.ID)
		index[id] = len(rules)
		rules = append(rules, sarifRuleFor(r.Benchmark, c.ID, c.Title, c.Checks[0]))
	}
	return rules, index
}

func sarifRuleFor(b finding.Benchmark, control, title, checkID string) sarifRule {
	txt, ok := ruleTexts[checkID]
	if !ok {
		txt = ruleText{full: title, help: title, severity: "5.0"}
	}
	name := checkID
	if name == "" {
		name = RuleID(b, control)
	}
	bench := strings.TrimSpace(b.ID + "-" + b.Version)
	return sarifRule{
		ID:                   RuleID(b, control),
		Name:                 name,
		ShortDescription:     sarifText{Text: title},
		FullDescription:      sarifText{Text: txt.full},
		Help:                 sarifMultiformat{Text: txt.help, Markdown: txt.markdown},
		HelpURI:              endpointDoc,
		DefaultConfiguration: sarifRuleConfig{Level: "error"},
		Properties: sarifRuleProps{
			Tags:             []string{"security", "eks", "kubernetes", bench},
			Precision:        "very-high",
			SecuritySeverity: txt.severity,
			CheckID:          checkID,
			Control:          control,
		},
	}
}

func resourceLabel(res finding.Result) string {
	if res.Resource.Name != "" {
		return res.Resource.Name
	}
	return res.Resource.Type
}

func resultMessage(res finding.Result) string {
	msg := resourceLabel(res) + ": " + res.Reason
	if res.Status == finding.Unknown {
		msg = resourceLabel(res) + ": cannot be judged: " + res.Reason
	}
	if res.Remediation != "" {
		msg += ". Fix: " + res.Remediation
	}
	return msg
}

// location is where a result points: the file and line that decided it, or the cluster itself.
func location(res finding.Result) sarifLocation {
	var loc sarifLocation
	if res.Location != nil && res.Location.File != "" {
		pl := &sarifPhysical{ArtifactLocation: artifact(res.Location.File)}
		if res.Location.Line > 0 {
			pl.Region = &sarifRegion{StartLine: res.Location.Line}
		}
		loc.PhysicalLocation = pl
	}
	fq := res.Resource.ARN
	if fq == "" {
		fq = strings.Join(nonEmptyParts(res.Resource.Account, res.Resource.Region, res.Resource.Name), "/")
	}
	kind := "resource"
	if res.Resource.Type != finding.ResourceCluster {
		kind = "namespace"
	}
	loc.LogicalLocations = []sarifLogical{{Name: resourceLabel(res), FullyQualifiedName: fq, Kind: kind}}
	return loc
}

func nonEmptyParts(ss ...string) []string {
	var out []string
	for _, s := range ss {
		if s != "" {
			out = append(out, s)
		}
	}
	return out
}

// artifact turns a reported file name into a URI: relative names are relative to %SRCROOT%, names
// outside the working directory are absolute file URIs.
func artifact(name string) sarifArtifactLoc {
	if filepath.IsAbs(filepath.FromSlash(name)) || strings.HasPrefix(name, "/") {
		p := filepath.ToSlash(name)
		if !strings.HasPrefix(p, "/") {
			p = "/" + p // a Windows drive path
		}
		return sarifArtifactLoc{URI: (&url.URL{Scheme: "file", Path: p}).String()}
	}
	uri := (&url.URL{Path: name}).EscapedPath()
	if first, _, _ := strings.Cut(uri, "/"); strings.Contains(first, ":") {
		// A colon in the first segment would read as a scheme (RFC 3986 section 4.2).
		uri = "./" + uri
	}
	return sarifArtifactLoc{URI: uri, URIBaseID: srcRoot}
}

// srcRootLocation is the absolute URI of the working directory, with the trailing slash SARIF
// requires; when it cannot be found, a description alone says what %SRCROOT% is.
func srcRootLocation() sarifArtifactLoc {
	loc := sarifArtifactLoc{Description: &sarifText{Text: "The directory eksguard ran in; file names are relative to it."}}
	wd, err := getwd()
	if err != nil || wd == "" {
		return loc
	}
	p := filepath.ToSlash(wd)
	if !strings.HasPrefix(p, "/") {
		p = "/" + p
	}
	if !strings.HasSuffix(p, "/") {
		p += "/"
	}
	loc.URI = (&url.URL{Scheme: "file", Path: p}).String()
	return loc
}

func fingerprint(ruleID string, res finding.Result) string {
	file := ""
	if res.Location != nil {
		file = res.Location.File
	}
	h := sha256.Sum256([]byte(strings.Join([]string{ruleID, res.Resource.Type, res.Resource.Account, res.Resource.Region, res.Resource.Name, file}, "\x00")))
	return hex.EncodeToString(h[:16])
}

// problemLine splits a "file:line: message" problem.
var problemLine = regexp.MustCompile(`^(.+?):([0-9]+): `)

func problemNotification(p string) sarifNotification {
	n := sarifNotification{Level: "error", Message: sarifText{Text: p}}
	if m := problemLine.FindStringSubmatch(p); m != nil {
		line, err := strconv.Atoi(m[2])
		if err == nil && line > 0 {
			n.Locations = []sarifLocation{{PhysicalLocation: &sarifPhysical{ArtifactLocation: artifact(m[1]), Region: &sarifRegion{StartLine: line}}}}
		}
	}
	return n
}
