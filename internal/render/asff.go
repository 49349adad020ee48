package render

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"regexp"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/eksguard/eksguard/internal/benchmark"
	"github.com/eksguard/eksguard/internal/check"
	"github.com/eksguard/eksguard/internal/finding"
)

// ASFF: the AWS Security Finding Format, as securityhub:BatchImportFindings takes it.
//
// The document is a JSON array of findings: what `aws securityhub batch-import-findings --findings
// file://findings.json` reads (at most 100 a call, so split a larger file, or let eksguard import
// them with --security-hub, which batches and routes them).
//
// One finding per result on a live cluster: PASS is Compliance PASSED (severity INFORMATIONAL),
// FAIL is FAILED, UNKNOWN is WARNING ("some information is missing"), ERROR is NOT_AVAILABLE
// ("the check could not be performed"); FAIL, UNKNOWN and ERROR keep the control's severity.
// MANUAL (a registered cluster, whose control plane EKS does not run) is left out: it is no
// verdict on anything. A region that could not be read is a NOT_AVAILABLE finding on the account
// (resource AwsAccount) in that region. An account that could not be entered at all has no region
// to report into, and is left out; the scan's exit code and its other formats still report it.
//
// Finding ids are stable across runs, so a re-import updates a finding instead of adding one:
// "eksguard/<benchmark>/<control>/<cluster ARN>", or for a region
// "eksguard/<benchmark>/<control>/account/<account>/region/<region>". GeneratorId is the id up to
// the control. Two results with one id (two errors in one region) become one finding: the worst.
//
// Waived results are imported with Workflow SUPPRESSED and the waiver in Note and ProductFields.
// Security Hub takes Workflow and Note only when it creates a finding, never on an update, so a
// waiver added after the finding exists shows in ProductFields but does not suppress it there.
const (
	// ASFFSchemaVersion is the only ASFF version there is.
	ASFFSchemaVersion = "2018-10-08"
	// ASFFType is the finding type of every eksguard finding.
	ASFFType = "Software and Configuration Checks/Industry and Regulatory Standards/CIS Amazon EKS Benchmark"
	// ASFFGeneratorPrefix starts every eksguard GeneratorId and finding id.
	ASFFGeneratorPrefix = "eksguard/"
)

// Field limits from the AwsSecurityFinding reference. Texts are cut in bytes on a rune boundary,
// which keeps them within the limit however the service counts characters.
const (
	asffMaxTitle          = 256
	asffMaxDescription    = 1024
	asffMaxRecommendation = 512
	asffMaxNote           = 512
	asffMaxID             = 512
	asffMaxFieldValue     = 2048
	asffMaxOriginal       = 64
)

// ErrASFFNeedsLive is the error for a report of declared (IaC) clusters: a finding belongs to an
// account and a region, which only a live scan knows.
var ErrASFFNeedsLive = errors.New("asff needs live results with an account and region; use it with eksguard scan")

// Compliance statuses.
const (
	ASFFPassed       = "PASSED"
	ASFFFailed       = "FAILED"
	ASFFWarning      = "WARNING"
	ASFFNotAvailable = "NOT_AVAILABLE"
)

// Record states.
const (
	ASFFActive   = "ACTIVE"
	ASFFArchived = "ARCHIVED"
)

// ASFFFinding is one finding. Field names are ASFF's.
type ASFFFinding struct {
	SchemaVersion         string             `json:"SchemaVersion"`
	ID                    string             `json:"Id"`
	ProductArn            string             `json:"ProductArn"`
	GeneratorID           string             `json:"GeneratorId"`
	AwsAccountID          string             `json:"AwsAccountId"`
	Types                 []string           `json:"Types"`
	CreatedAt             string             `json:"CreatedAt"`
	UpdatedAt             string             `json:"UpdatedAt"`
	FirstObservedAt       string             `json:"FirstObservedAt"`
	LastObservedAt        string             `json:"LastObservedAt"`
	Severity              ASFFSeverity       `json:"Severity"`
	Title                 string             `json:"Title"`
	Description           string             `json:"Description"`
	Remediation           ASFFRemediation    `json:"Remediation"`
	Resources             []ASFFResource     `json:"Resources"`
	Compliance            ASFFCompliance     `json:"Compliance"`
	Workflow              ASFFWorkflow       `json:"Workflow"`
	RecordState           string             `json:"RecordState"`
	Note                  *ASFFNote          `json:"Note,omitempty"`
	ProductFields         map[string]string  `json:"ProductFields"`
	FindingProviderFields ASFFProviderFields `json:"FindingProviderFields"`
}

// ASFFSeverity is Label (INFORMATIONAL, LOW, MEDIUM, HIGH, CRITICAL) and eksguard's own word.
type ASFFSeverity struct {
	Label    string `json:"Label"`
	Original string `json:"Original"`
}

// ASFFRemediation holds the recommendation.
type ASFFRemediation struct {
	Recommendation ASFFRecommendation `json:"Recommendation"`
}

// ASFFRecommendation is what to do, and where to read more.
type ASFFRecommendation struct {
	Text string `json:"Text"`
	URL  string `json:"Url,omitempty"`
}

// ASFFResource is the resource a finding is about.
type ASFFResource struct {
	Type      string               `json:"Type"`
	ID        string               `json:"Id"`
	Partition string               `json:"Partition"`
	Region    string               `json:"Region"`
	Details   *ASFFResourceDetails `json:"Details,omitempty"`
}

// ASFFResourceDetails carries what eksguard knows of a cluster for certain: its name and ARN.
type ASFFResourceDetails struct {
	AwsEksCluster *ASFFEksCluster `json:"AwsEksCluster,omitempty"`
}

// ASFFEksCluster is ASFF's AwsEksClusterDetails, with the members eksguard fills.
type ASFFEksCluster struct {
	Name string `json:"Name"`
	Arn  string `json:"Arn"`
}

// ASFFCompliance is the verdict and the benchmark requirement it answers. AssociatedStandards is
// not set: it names standards Security Hub itself runs, and it runs no CIS EKS standard.
type ASFFCompliance struct {
	Status              string   `json:"Status"`
	RelatedRequirements []string `json:"RelatedRequirements"`
}

// ASFFWorkflow is the investigation status: NEW, or SUPPRESSED for a waived result.
type ASFFWorkflow struct {
	Status string `json:"Status"`
}

// ASFFNote says why a finding is suppressed.
type ASFFNote struct {
	Text      string `json:"Text"`
	UpdatedBy string `json:"UpdatedBy"`
	UpdatedAt string `json:"UpdatedAt"`
}

// ASFFProviderFields repeats severity and types where a provider's later imports update them:
// Security Hub leaves the top-level copies to its users once a finding exists.
type ASFFProviderFields struct {
	Severity ASFFSeverity `json:"Severity"`
	Types    []string     `json:"Types"`
}

func init() { register("asff", func(o Options) Writer { return asffWriter{command: o.Command} }) }

type asffWriter struct{ command string }

func (a asffWriter) Write(w io.Writer, r *finding.Report) error {
	if a.command == "iac" {
		return ErrASFFNeedsLive
	}
	findings, err := ASFF(r)
	if err != nil {
		return err
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	return enc.Encode(findings)
}

// ASFF turns a report of live results into findings, in the report's order, never nil. It fails
// on a report that is not of live clusters (ErrASFFNeedsLive) and on results whose account,
// region and ARN disagree.
func ASFF(r *finding.Report) ([]ASFFFinding, error) {
	out := []ASFFFinding{}
	if r.GeneratedAt.IsZero() {
		return nil, errors.New("asff: the report has no generatedAt time")
	}
	b := asffBench(r.Benchmark)
	at := r.GeneratedAt.UTC().Format(time.RFC3339Nano)
	index := map[string]int{}
	for i := range r.Results {
		res := &r.Results[i]
		if res.Resource.File != "" || res.Resource.Root != "" || res.Location != nil && res.Location.File != "" {
			return nil, ErrASFFNeedsLive
		}
		compliance, ok := asffCompliance[res.Status]
		if !ok {
			continue // MANUAL
		}
		if res.Resource.Account == "" {
			return nil, ErrASFFNeedsLive
		}
		if res.Resource.Region == "" && res.Resource.Type == finding.ResourceAccount {
			continue // an account that could not be entered: no region to report into
		}
		f, err := asffFinding(res, b, r.Tool.Version, compliance, at)
		if err != nil {
			return nil, err
		}
		if j, dup := index[f.ID]; dup {
			if asffRank[f.Compliance.Status] > asffRank[out[j].Compliance.Status] {
				out[j] = f
			}
			continue
		}
		index[f.ID] = len(out)
		out = append(out, f)
	}
	return out, nil
}

var asffCompliance = map[finding.Status]string{
	finding.Pass: ASFFPassed, finding.Fail: ASFFFailed, finding.Unknown: ASFFWarning, finding.Error: ASFFNotAvailable,
}

// asffRank orders statuses from best to worst, to keep the worst of two results with one id.
var asffRank = map[string]int{ASFFPassed: 0, ASFFWarning: 1, ASFFNotAvailable: 2, ASFFFailed: 3}

// asffBenchmark names the benchmark in ids and requirements.
type asffBenchmark struct {
	id, version, title string
}

func asffBench(ref finding.Benchmark) asffBenchmark {
	b := asffBenchmark{id: ref.ID, version: ref.Version, title: ref.ID}
	if b.id == "" {
		b.id = "eksguard"
	}
	if d := benchmark.Default(); d.ID == ref.ID {
		b.title = d.Title
	}
	return b
}

// ASFFGeneratorID is the GeneratorId of a control's findings: "eksguard/cis-eks/5.4.1".
func ASFFGeneratorID(benchmarkID, control string) string {
	if benchmarkID == "" {
		benchmarkID = "eksguard"
	}
	return ASFFGeneratorPrefix + benchmarkID + "/" + control
}

// ASFFClusterID is the finding id of a control on a cluster.
func ASFFClusterID(benchmarkID, control, clusterARN string) string {
	return ASFFGeneratorID(benchmarkID, control) + "/" + clusterARN
}

// ASFFRegionID is the finding id of a control on a region that could not be read.
func ASFFRegionID(benchmarkID, control, account, region string) string {
	return ASFFGeneratorID(benchmarkID, control) + "/account/" + account + "/region/" + region
}

// ASFFProductArn is the default product ARN of an account in a region, which findings an account
// imports about itself carry.
func ASFFProductArn(partition, region, account string) string {
	return "arn:" + partition + ":securityhub:" + region + ":" + account + ":product/" + account + "/default"
}

var (
	asffAccountRE = regexp.MustCompile(`^[0-9]{12}$`)
	asffRegionRE  = regexp.MustCompile(`^[a-z]{2}(-[a-z]+)+-[0-9]+$`)
	// asffClusterARNRE is an EKS cluster ARN: partition, region, account, name.
	asffClusterARNRE = regexp.MustCompile(`^arn:(aws|aws-cn|aws-us-gov):eks:([a-z0-9-]+):([0-9]{12}):cluster/([0-9A-Za-z][A-Za-z0-9_-]{0,99})$`)
)

// ASFFPartitions are the partitions an ASFF resource can name.
var ASFFPartitions = []string{"aws", "aws-cn", "aws-us-gov"}

// ASFFPartition is the partition a region belongs to, "" for one Security Hub findings cannot
// name (the isolated partitions).
func ASFFPartition(region string) string {
	switch {
	case strings.HasPrefix(region, "cn-"):
		return "aws-cn"
	case strings.HasPrefix(region, "us-gov-"):
		return "aws-us-gov"
	case strings.HasPrefix(region, "us-iso"), strings.HasPrefix(region, "eu-iso"):
		return ""
	}
	return "aws"
}

// ASFFParseClusterARN splits an EKS cluster ARN into partition, region, account and name.
func ASFFParseClusterARN(arn string) (partition, region, account, name string, ok bool) {
	m := asffClusterARNRE.FindStringSubmatch(arn)
	if m == nil {
		return "", "", "", "", false
	}
	return m[1], m[2], m[3], m[4], true
}

func asffFinding(res *finding.Result, b asffBenchmark, version, compliance, at string) (ASFFFinding, error) {
	rs := res.Resource
	what := fmt.Sprintf("%s %s %s", res.Control, rs.Type, rs.Name)
	if !asffAccountRE.MatchString(rs.Account) {
		return ASFFFinding{}, fmt.Errorf("asff: %s: account %q is not a 12-digit AWS account id", what, rs.Account)
	}
	if !asffRegionRE.MatchString(rs.Region) {
		return ASFFFinding{}, fmt.Errorf("asff: %s: region %q is not an AWS region name", what, rs.Region)
	}
	partition := ASFFPartition(rs.Region)
	if partition == "" {
		return ASFFFinding{}, fmt.Errorf("asff: %s: region %s is in a partition Security Hub findings cannot name (want one of %s)", what, rs.Region, strings.Join(ASFFPartitions, ", "))
	}
	var resource ASFFResource
	var id, label string
	switch rs.Type {
	case finding.ResourceCluster:
		arn := rs.ARN
		if arn == "" {
			// A cluster that could not be described can lack its ARN; it follows from the rest.
			arn = fmt.Sprintf("arn:%s:eks:%s:%s:cluster/%s", partition, rs.Region, rs.Account, rs.Name)
		}
		p, region, account, name, ok := ASFFParseClusterARN(arn)
		switch {
		case !ok:
			return ASFFFinding{}, fmt.Errorf("asff: %s: %q is not an EKS cluster ARN", what, arn)
		case region != rs.Region || account != rs.Account || p != partition || (rs.Name != "" && name != rs.Name):
			return ASFFFinding{}, fmt.Errorf("asff: %s: ARN %s disagrees with the result's account %s, region %s and name %q", what, arn, rs.Account, rs.Region, rs.Name)
		}
		id = ASFFClusterID(b.id, res.Control, arn)
		label = fmt.Sprintf("EKS cluster %s (account %s, %s)", name, account, region)
		resource = ASFFResource{Type: "AwsEksCluster", ID: arn, Partition: partition, Region: region,
			Details: &ASFFResourceDetails{AwsEksCluster: &ASFFEksCluster{Name: name, Arn: arn}}}
	case finding.ResourceRegion, finding.ResourceRegistry:
		// A registry is one per account and region: its findings take the region's id, so that
		// an ERROR and a verdict on the same registry are one finding over time.
		id = ASFFRegionID(b.id, res.Control, rs.Account, rs.Region)
		label = fmt.Sprintf("Region %s of account %s", rs.Region, rs.Account)
		if rs.Type == finding.ResourceRegistry {
			label = fmt.Sprintf("ECR registry of account %s in %s", rs.Account, rs.Region)
		}
		resource = ASFFResource{Type: "AwsAccount", ID: "AWS::::Account:" + rs.Account, Partition: partition, Region: rs.Region}
	default:
		return ASFFFinding{}, fmt.Errorf("asff: %s: resource type %q has no ASFF form", what, rs.Type)
	}
	if len(id) > asffMaxID {
		return ASFFFinding{}, fmt.Errorf("asff: %s: finding id is %d bytes, over ASFF's %d", what, len(id), asffMaxID)
	}
	k, _ := check.Lookup(res.CheckID)
	sev := asffSeverity(res, compliance)
	types := []string{ASFFType}
	f := ASFFFinding{
		SchemaVersion:         ASFFSchemaVersion,
		ID:                    id,
		ProductArn:            ASFFProductArn(partition, rs.Region, rs.Account),
		GeneratorID:           ASFFGeneratorID(b.id, res.Control),
		AwsAccountID:          rs.Account,
		Types:                 types,
		CreatedAt:             at,
		UpdatedAt:             at,
		FirstObservedAt:       at,
		LastObservedAt:        at,
		Severity:              sev,
		Title:                 asffTruncate(strings.TrimSpace(res.Control+" "+res.Title), asffMaxTitle),
		Description:           asffDescription(res, k, label),
		Remediation:           ASFFRemediation{Recommendation: asffRecommendation(res, k)},
		Resources:             []ASFFResource{resource},
		Compliance:            ASFFCompliance{Status: compliance, RelatedRequirements: asffRequirements(b, res.Control)},
		Workflow:              ASFFWorkflow{Status: "NEW"},
		RecordState:           ASFFActive,
		ProductFields:         asffProductFields(res, b, version),
		FindingProviderFields: ASFFProviderFields{Severity: sev, Types: types},
	}
	if wv := res.Waived; wv != nil {
		f.Workflow.Status = "SUPPRESSED"
		text := "Waived in eksguard: " + asffOneLine(wv.Reason)
		if wv.Expires != "" {
			text += " (until " + wv.Expires + ")"
		}
		if wv.Entry != "" {
			text += "; waiver " + wv.Entry
		}
		f.Note = &ASFFNote{Text: asffTruncate(text, asffMaxNote), UpdatedBy: "eksguard", UpdatedAt: at}
	}
	return f, nil
}

func asffSeverity(res *finding.Result, compliance string) ASFFSeverity {
	word := res.Severity
	if word == "" {
		if c, ok := benchmark.Default().Control(res.Control); ok {
			word = string(c.Severity())
		}
	}
	if word == "" {
		word = string(check.SeverityMedium)
	}
	label := map[string]string{"high": "HIGH", "medium": "MEDIUM", "low": "LOW", "critical": "CRITICAL"}[strings.ToLower(word)]
	if label == "" {
		label = "MEDIUM"
	}
	if compliance == ASFFPassed {
		label = "INFORMATIONAL"
	}
	return ASFFSeverity{Label: label, Original: asffTruncate(word, asffMaxOriginal)}
}

// asffDescription is the verdict on this resource, then why the control matters when that fits.
func asffDescription(res *finding.Result, k *check.Check, label string) string {
	reason := asffOneLine(res.Reason)
	switch res.Status {
	case finding.Unknown:
		reason = "cannot be judged: " + reason
	case finding.Error:
		reason = "could not be read: " + reason
	}
	if strings.TrimSpace(reason) == "" {
		reason = string(res.Status)
	}
	text := label + ": " + reason
	if !strings.HasSuffix(text, ".") {
		text += "."
	}
	if k != nil && k.Rationale != "" && len(text)+1+len(k.Rationale) <= asffMaxDescription {
		text += " " + k.Rationale
	}
	return asffTruncate(text, asffMaxDescription)
}

// asffRecommendation is the fix of a failure, or the rule that makes the check pass. A command is
// never cut short to fit: a shortened command could still run and do something else, so one too
// long gives way to eksguard's guarded fix, or to eksguard explain.
func asffRecommendation(res *finding.Result, k *check.Check) ASFFRecommendation {
	var rec ASFFRecommendation
	if k != nil && len(k.Links) > 0 {
		rec.URL = k.Links[0].URL
	}
	explain := "Run eksguard explain " + res.CheckID + " for what the check reads and how to fix it."
	switch {
	case res.Status == finding.Fail && res.Remediation != "" && len(res.Remediation) <= asffMaxRecommendation:
		rec.Text = res.Remediation
	case res.Status == finding.Fail && res.GuardedFix != "" && len("Run "+res.GuardedFix) <= asffMaxRecommendation:
		rec.Text = "Run " + res.GuardedFix
	case res.Status == finding.Error:
		rec.Text = "Give eksguard what it needs to read this (the reason names it) and scan again. " + explain
	case k != nil && k.PassRule != "":
		rec.Text = asffTruncate("Passes when: "+asffOneLine(k.PassRule), asffMaxRecommendation-len(explain)-1) + " " + explain
	default:
		rec.Text = explain
	}
	rec.Text = asffTruncate(rec.Text, asffMaxRecommendation)
	return rec
}

func asffProductFields(res *finding.Result, b asffBenchmark, version string) map[string]string {
	fields := map[string]string{
		"eksguard/checkId":      res.CheckID,
		"eksguard/version":      version,
		"eksguard/benchmark":    strings.TrimSpace(b.id + " " + b.version),
		"eksguard/control":      res.Control,
		"eksguard/status":       string(res.Status),
		"eksguard/resourceName": res.Resource.Name,
	}
	if res.GuardedFix != "" {
		fields["eksguard/guardedFix"] = res.GuardedFix
	}
	if res.Baseline != "" {
		fields["eksguard/baseline"] = res.Baseline
	}
	if wv := res.Waived; wv != nil {
		fields["eksguard/waived"] = asffOneLine(wv.Reason)
		fields["eksguard/waiverExpires"] = wv.Expires
		fields["eksguard/waiverEntry"] = wv.Entry
	}
	for k, v := range fields {
		if v == "" {
			delete(fields, k)
			continue
		}
		fields[k] = asffTruncate(v, asffMaxFieldValue)
	}
	return fields
}

// asffOneLine folds whitespace runs (newlines from a waiver file included) into single spaces.
func asffOneLine(s string) string { return strings.Join(strings.Fields(s), " ") }

// asffTruncate cuts s to at most max bytes, on a rune boundary, marking a cut with "..."; text that
// fits is returned as it is. Invalid UTF-8 is replaced first, so the result is always valid.
func asffTruncate(s string, max int) string {
	if !utf8.ValidString(s) {
		s = strings.ToValidUTF8(s, "\uFFFD")
	}
	if len(s) <= max {
		return s
	}
	const mark = "..."
	if max <= len(mark) {
		return mark[:max]
	}
	cut := max - len(mark)
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return strings.TrimRight(s[:cut], " ") + mark
}

// asffRequirements names the benchmark control a finding is about; eksguard's own controls, outside
// the benchmark, name eksguard's check instead.
func asffRequirements(b asffBenchmark, control string) []string {
	if ownControl(control) {
		return []string{asffTruncate("eksguard check "+control, 256)}
	}
	return []string{asffTruncate(fmt.Sprintf("%s v%s/%s", b.title, b.version, control), 256)}
}
