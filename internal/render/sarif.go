package render

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/url"
	"os"
	"path/filepath"
	"strings"

	"github.com/eksguard/eksguard/internal/benchmark"
	"github.com/eksguard/eksguard/internal/check"
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
	fingerprintKey = "eksguardResult/v2"
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
	Level      string           `json:"level"`
	Message    sarifText        `json:"message"`
	Locations  []sarifLocation  `json:"locations,omitempty"`
	Descriptor *sarifDescriptor `json:"descriptor,omitempty"`
}

// sarifDescriptor names the kind of a notification: the problem's code.
type sarifDescriptor struct {
	ID string `json:"id"`
}

type sarifResult struct {
	RuleID              string            `json:"ruleId"`
	RuleIndex           int               `json:"ruleIndex"`
	Level               string            `json:"level"`
	Message             sarifText         `json:"message"`
	Locations           []sarifLocation   `json:"locations"`
	PartialFingerprints map[string]string `json:"partialFingerprints"`
	// Suppressions carry waivers: GitHub code scanning and other SARIF consumers show the result
	// as dismissed with the waiver's justification.
	Suppressions []sarifSuppression `json:"suppressions,omitempty"`
	// BaselineState is SARIF's own new or unchanged, against --baseline.
	BaselineState string            `json:"baselineState,omitempty"`
	Properties    map[string]string `json:"properties"`
}

type sarifSuppression struct {
	// Kind is inSource for an eksguard:ignore comment, external for a waivers file entry.
	Kind          string `json:"kind"`
	Status        string `json:"status"`
	Justification string `json:"justification"`
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
	StartLine   int `json:"startLine"`
	StartColumn int `json:"startColumn,omitempty"`
}

type sarifLogical struct {
	Name               string `json:"name"`
	FullyQualifiedName string `json:"fullyQualifiedName,omitempty"`
	Kind               string `json:"kind"`
}

// securityScore is the CVSS-like score GitHub code scanning sorts alerts by, for each severity.
var securityScore = map[check.Severity]string{check.SeverityHigh: "7.5", check.SeverityMedium: "5.3", check.SeverityLow: "3.1"}

// RuleID is the SARIF rule id of a control: "CIS-EKS-5.4.1"; eksguard's own controls, outside the
// benchmark, are "EKSGUARD-endpoint-reachability".
func RuleID(b finding.Benchmark, control string) string {
	id := b.ID
	if id == "" || ownControl(control) {
		id = "eksguard"
	}
	return strings.ToUpper(id) + "-" + control
}

// ownControl reports whether a control is one of eksguard's own (named by its check id) rather
// than a numbered control of the benchmark.
func ownControl(control string) bool { return control == "" || control[0] < '0' || control[0] > '9' }

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
		var sup []sarifSuppression
		if wv := res.Waived; wv != nil {
			kind := "external"
			if strings.Contains(wv.Entry, ":") {
				kind = "inSource"
			}
			sup = []sarifSuppression{{Kind: kind, Status: "accepted", Justification: fmt.Sprintf("%s (waiver %s, until %s)", wv.Reason, wv.Entry, wv.Expires)}}
		}
		run.Results = append(run.Results, sarifResult{
			RuleID:              id,
			RuleIndex:           i,
			Level:               level,
			Message:             sarifText{Text: resultMessage(res)},
			Locations:           []sarifLocation{location(res)},
			PartialFingerprints: map[string]string{fingerprintKey: fingerprint(id, res)},
			Suppressions:        sup,
			BaselineState:       res.Baseline,
			Properties:          props,
		})
	}
	run.Invocations = []sarifInvocation{inv}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	return enc.Encode(sarifLog{Schema: sarifSchema, Version: sarifVersion, Runs: []sarifRun{run}})
}

// sarifRules lists the rules of every control the run evaluated, in numeric order.
func sarifRules(r *finding.Report) ([]sarifRule, map[string]int) {
	rules := []sarifRule{}
	index := map[string]int{}
	b := benchmark.Default()
	if r.Benchmark.ID != b.ID || r.Benchmark.Version != b.Version {
		return rules, index
	}
	for _, id := range r.Controls {
		c, ok := b.Control(id)
		if !ok || !c.Evaluated() {
			continue
		}
		rid := RuleID(r.Benchmark, c.ID)
		index[rid] = len(rules)
		rules = append(rules, sarifRuleFor(r.Benchmark, c.ID, c.Title, c.Checks[0]))
	}
	return rules, index
}

// sarifRuleFor describes a control's rule from its check: what the check says of itself is the
// rule's text, help, link and severity.
func sarifRuleFor(b finding.Benchmark, control, title, checkID string) sarifRule {
	bench := strings.TrimSpace(b.ID + "-" + b.Version)
	rule := sarifRule{
		ID:                   RuleID(b, control),
		Name:                 checkID,
		ShortDescription:     sarifText{Text: title},
		FullDescription:      sarifText{Text: title},
		Help:                 sarifMultiformat{Text: title},
		HelpURI:              InformationURI,
		DefaultConfiguration: sarifRuleConfig{Level: "error"},
		Properties: sarifRuleProps{
			Tags:             []string{"security", "eks", "kubernetes", bench},
			Precision:        "very-high",
			SecuritySeverity: securityScore[check.SeverityMedium],
			CheckID:          checkID,
			Control:          control,
		},
	}
	if rule.Name == "" {
		rule.Name = RuleID(b, control)
	}
	k, ok := check.Lookup(checkID)
	if !ok {
		return rule
	}
	rule.FullDescription.Text = k.Summary + ". " + k.Rationale
	rule.Help = sarifMultiformat{Text: helpText(k), Markdown: helpMarkdown(k)}
	if len(k.Links) > 0 {
		rule.HelpURI = k.Links[0].URL
	}
	if score, ok := securityScore[k.Severity]; ok {
		rule.Properties.SecuritySeverity = score
	}
	return rule
}

// helpText is a check's help in plain text: the rule, the defaults, and where each format writes it.
func helpText(k *check.Check) string {
	var b strings.Builder
	b.WriteString(k.PassRule + " " + k.Defaults)
	for _, f := range k.IaC {
		fmt.Fprintf(&b, " %s: %s (default: %s).", f.Format, f.Path, f.Default)
	}
	b.WriteString(" eksguard iac --format patch writes the edit; eksguard explain " + k.ID + " says more.")
	return b.String()
}

// helpMarkdown is a check's help in Markdown, with a table of the formats.
func helpMarkdown(k *check.Check) string {
	var b strings.Builder
	b.WriteString(k.PassRule + "\n\n" + k.Defaults + "\n\n| Format | Setting | When left out |\n| --- | --- | --- |\n")
	for _, f := range k.IaC {
		fmt.Fprintf(&b, "| %s | `%s` | %s |\n", f.Format, strings.ReplaceAll(f.Path, "|", "\\|"), f.Default)
	}
	b.WriteString("\n`eksguard iac --format patch` writes the edit; `eksguard explain " + k.ID + "` says more.")
	for _, l := range k.Links {
		fmt.Fprintf(&b, " See [%s](%s).", l.Title, l.URL)
	}
	return b.String()
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
	switch {
	case fq != "":
	case res.Resource.Type == finding.ResourceRegistry && res.Resource.Region != "":
		// The registry's name is its account; the path says what it is.
		fq = strings.Join(nonEmptyParts(res.Resource.Account, res.Resource.Region, "ecr-registry"), "/")
	default:
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
	h := sha256.Sum256([]byte(strings.Join([]string{ruleID, res.Resource.Type, res.Resource.Account, res.Resource.Region, res.Resource.Name, res.Resource.Root, file}, "\x00")))
	return hex.EncodeToString(h[:16])
}

// problemNotification reports an input problem, at its file and line when it has them.
func problemNotification(p finding.Problem) sarifNotification {
	n := sarifNotification{Level: "error", Message: sarifText{Text: p.String()}, Descriptor: &sarifDescriptor{ID: p.Code}}
	if p.Code == "" {
		n.Descriptor = nil
	}
	if p.File != "" && p.Line > 0 {
		region := &sarifRegion{StartLine: p.Line}
		if p.Column > 0 {
			region.StartColumn = p.Column
		}
		n.Locations = []sarifLocation{{PhysicalLocation: &sarifPhysical{ArtifactLocation: artifact(p.File), Region: region}}}
	}
	return n
}
