package securityhub

import (
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/securityhub/types"

	"github.com/eksguard/eksguard/internal/render"
)

// toSDK turns an ASFF finding as eksguard writes it into the SDK's shape, member by member: what
// is imported is exactly what --format asff prints.
func toSDK(f *render.ASFFFinding) types.AwsSecurityFinding {
	sev := &types.Severity{Label: types.SeverityLabel(f.Severity.Label), Original: nonEmpty(f.Severity.Original)}
	out := types.AwsSecurityFinding{
		SchemaVersion:   aws.String(f.SchemaVersion),
		Id:              aws.String(f.ID),
		ProductArn:      aws.String(f.ProductArn),
		GeneratorId:     aws.String(f.GeneratorID),
		AwsAccountId:    aws.String(f.AwsAccountID),
		Types:           append([]string(nil), f.Types...),
		CreatedAt:       aws.String(f.CreatedAt),
		UpdatedAt:       aws.String(f.UpdatedAt),
		FirstObservedAt: nonEmpty(f.FirstObservedAt),
		LastObservedAt:  nonEmpty(f.LastObservedAt),
		Severity:        sev,
		Title:           aws.String(f.Title),
		Description:     aws.String(f.Description),
		Compliance: &types.Compliance{
			Status:              types.ComplianceStatus(f.Compliance.Status),
			RelatedRequirements: append([]string(nil), f.Compliance.RelatedRequirements...),
		},
		RecordState:   types.RecordState(f.RecordState),
		ProductFields: copyFields(f.ProductFields),
		FindingProviderFields: &types.FindingProviderFields{
			Severity: &types.FindingProviderSeverity{Label: types.SeverityLabel(f.FindingProviderFields.Severity.Label), Original: nonEmpty(f.FindingProviderFields.Severity.Original)},
			Types:    append([]string(nil), f.FindingProviderFields.Types...),
		},
	}
	if f.Remediation.Recommendation.Text != "" {
		out.Remediation = &types.Remediation{Recommendation: &types.Recommendation{
			Text: aws.String(f.Remediation.Recommendation.Text), Url: nonEmpty(f.Remediation.Recommendation.URL)}}
	}
	if f.Workflow.Status != "" {
		out.Workflow = &types.Workflow{Status: types.WorkflowStatus(f.Workflow.Status)}
	}
	if n := f.Note; n != nil {
		out.Note = &types.Note{Text: aws.String(n.Text), UpdatedBy: aws.String(n.UpdatedBy), UpdatedAt: aws.String(n.UpdatedAt)}
	}
	for _, r := range f.Resources {
		res := types.Resource{Type: aws.String(r.Type), Id: aws.String(r.ID), Partition: types.Partition(r.Partition), Region: nonEmpty(r.Region)}
		if d := r.Details; d != nil && d.AwsEksCluster != nil {
			res.Details = &types.ResourceDetails{AwsEksCluster: &types.AwsEksClusterDetails{
				Name: nonEmpty(d.AwsEksCluster.Name), Arn: nonEmpty(d.AwsEksCluster.Arn)}}
		}
		out.Resources = append(out.Resources, res)
	}
	return out
}

// archived is an earlier finding, as GetFindings returned it, ready to be imported again with
// RecordState ARCHIVED. Only what eksguard itself provides is sent back: members Security Hub fills
// in (ProductName, CompanyName, Region, ProcessedAt), its own aws/securityhub/ product fields, and
// the members only its users may change after creation (Workflow, Note) stay out.
func archived(f *types.AwsSecurityFinding, now, why string) types.AwsSecurityFinding {
	out := types.AwsSecurityFinding{
		SchemaVersion:   f.SchemaVersion,
		Id:              f.Id,
		ProductArn:      f.ProductArn,
		GeneratorId:     f.GeneratorId,
		AwsAccountId:    f.AwsAccountId,
		Types:           f.Types,
		CreatedAt:       f.CreatedAt,
		UpdatedAt:       aws.String(now),
		FirstObservedAt: f.FirstObservedAt,
		LastObservedAt:  f.LastObservedAt,
		Severity:        f.Severity,
		Title:           f.Title,
		Description:     f.Description,
		Remediation:     f.Remediation,
		Compliance:      f.Compliance,
		RecordState:     types.RecordStateArchived,
		ProductFields:   map[string]string{},
	}
	if p := f.FindingProviderFields; p != nil {
		out.FindingProviderFields = &types.FindingProviderFields{Severity: p.Severity, Types: p.Types}
		if len(out.Types) == 0 {
			out.Types = p.Types
		}
		if out.Severity == nil {
			if s := p.Severity; s != nil {
				out.Severity = &types.Severity{Label: s.Label, Original: s.Original}
			}
		}
	}
	for _, r := range f.Resources {
		out.Resources = append(out.Resources, types.Resource{Type: r.Type, Id: r.Id, Partition: r.Partition, Region: r.Region, Details: r.Details})
	}
	for k, v := range f.ProductFields {
		if strings.HasPrefix(k, render.ASFFGeneratorPrefix) {
			out.ProductFields[k] = v
		}
	}
	out.ProductFields[archivedField] = why
	return out
}

// archivedField says in an archived finding why eksguard archived it.
const archivedField = "eksguard/archived"

func nonEmpty(s string) *string {
	if s == "" {
		return nil
	}
	return aws.String(s)
}

func copyFields(m map[string]string) map[string]string {
	out := make(map[string]string, len(m))
	for k, v := range m {
		out[k] = v
	}
	return out
}
