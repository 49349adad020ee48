package render

import (
	"bufio"
	"crypto/sha256"
	"encoding/hex"
	"io"
	"strings"

	"github.com/eksguard/eksguard/internal/check"
	"github.com/eksguard/eksguard/internal/finding"
	"github.com/eksguard/eksguard/internal/model"
)

// OCSF (Open Cybersecurity Schema Framework) 1.4.0: a JSON array with one Compliance Finding
// (class_uid 2003, category Findings, activity Create, type_uid 200301) per result, passes included,
// for security data lakes and SIEMs that read OCSF (Amazon Security Lake and others). The class's
// required attributes are always there: activity_id, category_uid, class_uid, compliance (with
// standards), finding_info (with uid), metadata (with product and version), severity_id, time,
// type_uid, and cloud, because the events declare the cloud profile.
//
// compliance.status_id is the verdict: PASS is 1 Pass, FAIL 3 Fail, UNKNOWN 2 Warning (OCSF: "did not
// yield a result due to missing information"), ERROR and MANUAL are 99 Other with status "Error" or
// "Manual"; compliance.status_code is always eksguard's verdict. The finding's own status_id is the
// workflow state: 3 Suppressed for a waived result (the waiver is in comment and unmapped), 4
// Resolved for a PASS that the baseline had as failing (the report's fixed list), otherwise 1 New.
// severity_id is the control's severity (high 4, medium 3, low 2), except that a PASS is 1
// Informational, as AWS Security Hub does for passed controls; the control's severity is then in
// unmapped.control_severity.
//
// finding_info.uid is stable across runs: a hash of the benchmark, the control and the resource's
// identity (type, account, region, name, root, declaring file). Times are milliseconds since the
// epoch: the report's generation time (first_seen_time is left out for a failure the baseline
// already had, since it was first seen earlier). Evidence, the check id, the waiver, the baseline
// state, the location and suggested edits are in unmapped.

func init() { register("ocsf", func(Options) Writer { return ocsfWriter{} }) }

type ocsfWriter struct{}

// OCSFVersion is the OCSF schema version eksguard writes.
const OCSFVersion = "1.4.0"

type ocsfFinding struct {
	ActivityID   int    `json:"activity_id"`
	ActivityName string `json:"activity_name"`
	CategoryUID  int    `json:"category_uid"`
	CategoryName string `json:"category_name"`
	ClassUID     int    `json:"class_uid"`
	ClassName    string `json:"class_name"`
	TypeUID      int    `json:"type_uid"`
	TypeName     string `json:"type_name"`
	SeverityID   int    `json:"severity_id"`
	Severity     string `json:"severity"`
	StatusID     int    `json:"status_id"`
	Status       string `json:"status"`
	StatusCode   string `json:"status_code"`
	StatusDetail string `json:"status_detail,omitempty"`
	Message      string `json:"message"`
	Comment      string `json:"comment,omitempty"`
	Time         int64  `json:"time"`

	Compliance  ocsfCompliance   `json:"compliance"`
	FindingInfo ocsfFindingInfo  `json:"finding_info"`
	Resources   []ocsfResource   `json:"resources"`
	Cloud       ocsfCloud        `json:"cloud"`
	Remediation *ocsfRemediation `json:"remediation,omitempty"`
	Metadata    ocsfMetadata     `json:"metadata"`
	Unmapped    ocsfUnmapped     `json:"unmapped"`
}

type ocsfCompliance struct {
	Standards     []string `json:"standards"`
	Requirements  []string `json:"requirements"`
	Control       string   `json:"control"`
	Status        string   `json:"status"`
	StatusID      int      `json:"status_id"`
	StatusCode    string   `json:"status_code"`
	StatusDetails []string `json:"status_details,omitempty"`
}

type ocsfFindingInfo struct {
	UID           string `json:"uid"`
	Title         string `json:"title"`
	Desc          string `json:"desc,omitempty"`
	CreatedTime   int64  `json:"created_time"`
	FirstSeenTime *int64 `json:"first_seen_time,omitempty"`
	LastSeenTime  int64  `json:"last_seen_time"`
}

type ocsfResource struct {
	UID    string            `json:"uid"`
	Name   string            `json:"name,omitempty"`
	Type   string            `json:"type"`
	Region string            `json:"region,omitempty"`
	Data   map[string]string `json:"data,omitempty"`
}

type ocsfCloud struct {
	Provider string       `json:"provider"`
	Region   string       `json:"region,omitempty"`
	Account  *ocsfAccount `json:"account,omitempty"`
}

type ocsfAccount struct {
	UID    string `json:"uid"`
	Type   string `json:"type"`
	TypeID int    `json:"type_id"`
}

type ocsfRemediation struct {
	Desc       string   `json:"desc"`
	References []string `json:"references,omitempty"`
}

type ocsfMetadata struct {
	Version   string      `json:"version"`
	Product   ocsfProduct `json:"product"`
	Profiles  []string    `json:"profiles"`
	EventCode string      `json:"event_code,omitempty"`
}

type ocsfProduct struct {
	Name       string `json:"name"`
	VendorName string `json:"vendor_name"`
	Version    string `json:"version,omitempty"`
	URL        string `json:"url_string"`
}

type ocsfUnmapped struct {
	CheckID         string            `json:"check_id,omitempty"`
	Benchmark       finding.Benchmark `json:"benchmark"`
	ControlSeverity string            `json:"control_severity,omitempty"`
	Evidence        any               `json:"evidence"`
	GuardedFix      string            `json:"guarded_fix,omitempty"`
	Location        *model.Location   `json:"location,omitempty"`
	Fix             *finding.Fix      `json:"fix,omitempty"`
	Waived          *finding.Waived   `json:"waived,omitempty"`
	Baseline        string            `json:"baseline,omitempty"`
}

// OCSF enumerations eksguard uses, with their captions.
const (
	ocsfClassCompliance = 2003
	ocsfCategoryFinding = 2
	ocsfActivityCreate  = 1

	ocsfStatusNew        = 1
	ocsfStatusSuppressed = 3
	ocsfStatusResolved   = 4

	ocsfCompliancePass    = 1
	ocsfComplianceWarning = 2
	ocsfComplianceFail    = 3
	ocsfComplianceOther   = 99

	ocsfAccountAWS = 10
)

var ocsfSeverity = map[string]int{"low": 2, "medium": 3, "high": 4}

var ocsfSeverityCaption = map[int]string{0: "Unknown", 1: "Informational", 2: "Low", 3: "Medium", 4: "High", 5: "Critical", 6: "Fatal", 99: "Other"}

var ocsfStatusCaption = map[int]string{0: "Unknown", 1: "New", 2: "In Progress", 3: "Suppressed", 4: "Resolved", 5: "Archived", 99: "Other"}

func (ocsfWriter) Write(w io.Writer, r *finding.Report) error {
	bw := bufio.NewWriterSize(w, 64<<10)
	ew := &errWriter{w: bw, enc: map[string]*encoder{}}
	fixed := map[string]bool{}
	for _, f := range r.Fixed {
		fixed[ocsfKey(f.Control, f.Resource)] = true
	}
	if len(r.Results) == 0 {
		ew.printf("[]\n")
	} else {
		ew.printf("[\n")
		for i := range r.Results {
			ew.printf("  %s", ew.indented(ocsfFor(r, &r.Results[i], fixed), "  "))
			if i < len(r.Results)-1 {
				ew.printf(",")
			}
			ew.printf("\n")
		}
		ew.printf("]\n")
	}
	if ew.err != nil {
		return ew.err
	}
	return bw.Flush()
}

func ocsfFor(r *finding.Report, res *finding.Result, fixed map[string]bool) ocsfFinding {
	ms := r.GeneratedAt.UnixMilli()
	sev := ocsfSeverity[res.Severity]
	if res.Status == finding.Pass {
		sev = 1
	}
	status := ocsfStatusNew
	switch {
	case !res.Counted():
		status = ocsfStatusSuppressed
	case res.Status == finding.Pass && fixed[ocsfKey(res.Control, res.Resource)]:
		status = ocsfStatusResolved
	}
	cStatus, cCaption := ocsfComplianceStatus(res.Status)
	label := resourceLabel(*res)
	f := ocsfFinding{
		ActivityID:   ocsfActivityCreate,
		ActivityName: "Create",
		CategoryUID:  ocsfCategoryFinding,
		CategoryName: "Findings",
		ClassUID:     ocsfClassCompliance,
		ClassName:    "Compliance Finding",
		TypeUID:      ocsfClassCompliance*100 + ocsfActivityCreate,
		TypeName:     "Compliance Finding: Create",
		SeverityID:   sev,
		Severity:     ocsfSeverityCaption[sev],
		StatusID:     status,
		Status:       ocsfStatusCaption[status],
		StatusCode:   string(res.Status),
		StatusDetail: res.Reason,
		Message:      label + ": " + res.Reason,
		Comment:      waiverNote(res.Waived),
		Time:         ms,
		Compliance: ocsfCompliance{
			Standards:    []string{benchmarkTitle(r.Benchmark)},
			Requirements: []string{res.Control},
			Control:      res.Control,
			Status:       cCaption,
			StatusID:     cStatus,
			StatusCode:   string(res.Status),
		},
		FindingInfo: ocsfFindingInfo{
			UID:          ocsfUID(r.Benchmark, res),
			Title:        strings.TrimSpace(res.Control + " " + res.Title),
			Desc:         res.Title,
			CreatedTime:  ms,
			LastSeenTime: ms,
		},
		Resources: []ocsfResource{ocsfResourceFor(res.Resource)},
		Cloud:     ocsfCloud{Provider: "AWS", Region: res.Resource.Region},
		Metadata: ocsfMetadata{
			Version:   OCSFVersion,
			Product:   ocsfProduct{Name: orDefault(r.Tool.Name, "eksguard"), VendorName: "eksguard", Version: r.Tool.Version, URL: InformationURI},
			Profiles:  []string{"cloud"},
			EventCode: res.CheckID,
		},
		Unmapped: ocsfUnmapped{
			CheckID:         res.CheckID,
			Benchmark:       r.Benchmark,
			ControlSeverity: res.Severity,
			Evidence:        res.Evidence,
			GuardedFix:      res.GuardedFix,
			Location:        res.Location,
			Fix:             res.Fix,
			Waived:          res.Waived,
			Baseline:        res.Baseline,
		},
	}
	if res.Reason != "" {
		f.Compliance.StatusDetails = []string{res.Reason}
	}
	if res.Baseline != finding.BaselineUnchanged {
		f.FindingInfo.FirstSeenTime = &ms
	}
	if res.Resource.Account != "" {
		f.Cloud.Account = &ocsfAccount{UID: res.Resource.Account, Type: "AWS Account", TypeID: ocsfAccountAWS}
	}
	if f.Unmapped.Evidence == nil {
		f.Unmapped.Evidence = struct{}{}
	}
	k, known := check.Lookup(res.CheckID)
	if known {
		f.FindingInfo.Desc = k.Summary + ". " + k.Rationale
	}
	if desc := orDefault(res.Remediation, fixDescription(res.Fix)); desc != "" {
		f.Remediation = &ocsfRemediation{Desc: desc}
		if known {
			for _, l := range k.Links {
				f.Remediation.References = append(f.Remediation.References, l.URL)
			}
		}
	}
	return f
}

func fixDescription(f *finding.Fix) string {
	if f == nil {
		return ""
	}
	return f.Description
}

func ocsfComplianceStatus(s finding.Status) (int, string) {
	switch s {
	case finding.Pass:
		return ocsfCompliancePass, "Pass"
	case finding.Fail:
		return ocsfComplianceFail, "Fail"
	case finding.Unknown:
		return ocsfComplianceWarning, "Warning"
	case finding.Error:
		return ocsfComplianceOther, "Error"
	case finding.Manual:
		return ocsfComplianceOther, "Manual"
	}
	return ocsfComplianceOther, string(s)
}

// ocsfResourceFor describes the resource: its uid is the ARN of a live cluster and otherwise the
// identity every format uses (the declaring file and name, or account/region).
func ocsfResourceFor(res finding.Resource) ocsfResource {
	out := ocsfResource{UID: resourceIdentity(res), Name: res.Name, Type: res.Type, Region: res.Region}
	data := map[string]string{}
	for k, v := range map[string]string{"account": res.Account, "arn": res.ARN, "root": res.Root, "file": res.File} {
		if v != "" {
			data[k] = v
		}
	}
	if len(data) > 0 {
		out.Data = data
	}
	return out
}

// ocsfKey identifies a control on a resource, as the baseline's fixed list names it.
func ocsfKey(control string, res finding.Resource) string {
	return strings.Join([]string{control, res.Type, res.Account, res.Region, res.Name, res.Root, res.File}, "\x00")
}

// ocsfUID is the finding's uid, the same in every run for the same control on the same resource.
func ocsfUID(b finding.Benchmark, res *finding.Result) string {
	h := sha256.Sum256([]byte(b.ID + "\x00" + ocsfKey(res.Control, res.Resource)))
	return "eksguard-" + hex.EncodeToString(h[:16])
}
