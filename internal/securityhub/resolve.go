package securityhub

import (
	"context"
	"crypto/sha256"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	shub "github.com/aws/aws-sdk-go-v2/service/securityhub"
	"github.com/aws/aws-sdk-go-v2/service/securityhub/types"

	"github.com/eksguard/eksguard/internal/finding"
	"github.com/eksguard/eksguard/internal/render"
	"github.com/eksguard/eksguard/internal/source/awsapi"
)

// Scope is what a run read: every account in every region listed here had its clusters listed
// (or, with Clusters, described). Resolve archives nothing outside it, and nothing in the parts of
// it the report shows could not be read.
type Scope struct {
	Accounts []string
	Regions  []string
	// Clusters are the names the run was limited to (--cluster); empty means every cluster.
	Clusters []string
}

// ReportScope is the scope a report shows on its own: the accounts and regions that have a result
// (a cluster, or a region that could not be read), limited to clusters as the run was. It never
// names a region the run did not read; but a region whose last cluster was deleted has no result
// left and is missing from it, so a scan that knows what it listed (--region, the regions
// ec2:DescribeRegions gave) should say so in a Scope of its own.
func ReportScope(rep *finding.Report, clusters []string) Scope {
	s := Scope{Clusters: clusters}
	accounts, regions := map[string]bool{}, map[string]bool{}
	for i := range rep.Results {
		r := rep.Results[i].Resource
		if (r.Type != finding.ResourceCluster && r.Type != finding.ResourceRegion && r.Type != finding.ResourceRegistry) || r.Account == "" || r.Region == "" {
			continue
		}
		if !accounts[r.Account] {
			accounts[r.Account] = true
			s.Accounts = append(s.Accounts, r.Account)
		}
		if !regions[r.Region] {
			regions[r.Region] = true
			s.Regions = append(s.Regions, r.Region)
		}
	}
	sort.Strings(s.Accounts)
	sort.Strings(s.Regions)
	return s
}

// Why eksguard archived a finding, in its eksguard/archived product field.
const (
	archivedPasses = "passes"
	archivedGone   = "the cluster is no longer in the account and region scanned"
	archivedRead   = "the region reads without error now"
)

// maxGetPages caps one GetFindings listing: 1,000 pages of 100 is more eksguard findings than
// one account and region can hold; an endpoint that keeps handing out tokens is stopped there.
var maxGetPages = 1000

// ImportAndResolve imports the report's findings as Import does, and archives what the run shows
// resolved. Before importing, it lists eksguard's earlier ACTIVE findings in each account and
// region of the scope (GetFindings, every page). Then:
//
//   - a finding of this run that passes is imported with RecordState ARCHIVED and Compliance
//     PASSED, updating an earlier FAILED one in the same call;
//   - an earlier finding on a cluster of the scope that this run no longer saw (deleted), or on a
//     region of the scope that reads without error now, is imported again ARCHIVED, its verdict
//     unchanged.
//
// Nothing is archived in an account or region outside the scope, in one the report shows could
// not be read (an ERROR on the region or account, or skipped), on a cluster that could not be
// described, on a cluster outside --cluster, or for a control this run did not evaluate. An
// earlier finding keeps its CreatedAt and FirstObservedAt when this run updates it.
func (h *Hub) ImportAndResolve(ctx context.Context, rep *finding.Report, scope Scope) (*Result, error) {
	work, err := h.prepare(rep)
	if err != nil {
		return nil, err
	}
	rs, err := newResolver(rep, scope, h.cfg.Now().UTC().Format(time.RFC3339Nano))
	if err != nil {
		return nil, err
	}
	for p := range rs.scope {
		if work[p] == nil {
			work[p] = &pairWork{pair: p, current: map[string]*job{}}
		}
	}
	for _, w := range work {
		for _, j := range w.jobs {
			if j.f.Compliance != nil && j.f.Compliance.Status == types.ComplianceStatusPassed {
				j.f.RecordState = types.RecordStateArchived
				j.f.ProductFields[archivedField] = archivedPasses
			}
		}
	}
	return h.run(ctx, work, rs)
}

// clusterKey names a cluster within the estate.
type clusterKey struct{ account, region, name string }

// resolver decides which earlier findings are resolved.
type resolver struct {
	bench    string
	now      string
	scope    map[pair]bool
	controls map[string]bool
	clusters map[string]bool
	// present are the clusters with any result this run, ERROR (could not be described) included.
	present map[clusterKey]bool
	// blocked says why an account ("account"), a region of every account ("/region") or a pair
	// ("account/region") could not be read.
	blocked map[string]string
}

func newResolver(rep *finding.Report, s Scope, now string) (*resolver, error) {
	rs := &resolver{bench: rep.Benchmark.ID, now: now, scope: map[pair]bool{}, controls: map[string]bool{}, clusters: map[string]bool{},
		present: map[clusterKey]bool{}, blocked: map[string]string{}}
	if rs.bench == "" {
		rs.bench = "eksguard"
	}
	for _, a := range s.Accounts {
		if !awsapi.ValidAccountID(a) {
			return nil, fmt.Errorf("security hub resolve: %q is not a 12-digit AWS account id", a)
		}
	}
	for _, r := range s.Regions {
		if !awsapi.ValidRegion(r) {
			return nil, fmt.Errorf("security hub resolve: %q is not an AWS region name", r)
		}
	}
	for _, a := range s.Accounts {
		for _, r := range s.Regions {
			if part := render.ASFFPartition(r); part != "" {
				rs.scope[pair{partition: part, account: a, region: r}] = true
			}
		}
	}
	for _, c := range rep.Controls {
		rs.controls[c] = true
	}
	for _, c := range s.Clusters {
		rs.clusters[c] = true
	}
	for i := range rep.Results {
		res := &rep.Results[i]
		r := res.Resource
		switch {
		case r.Type == finding.ResourceCluster:
			k := clusterKey{r.Account, r.Region, r.Name}
			if _, region, account, name, ok := render.ASFFParseClusterARN(r.ARN); ok {
				k = clusterKey{account, region, name}
			}
			rs.present[k] = true
		case res.Status != finding.Error:
		case r.Type == finding.ResourceRegion:
			rs.block(r.Account+"/"+r.Region, "the region could not be read: "+res.Reason)
		case r.Type == finding.ResourceAccount:
			rs.block(r.Account, "the account could not be read: "+res.Reason)
		}
	}
	for _, sk := range rep.Skipped {
		if sk.File != "" || (sk.Account == "" && sk.Region == "") {
			continue
		}
		key := sk.Account
		if sk.Region != "" {
			key += "/" + sk.Region
		}
		rs.block(key, "skipped: "+sk.Reason)
	}
	return rs, nil
}

func (rs *resolver) block(key, why string) {
	if _, ok := rs.blocked[key]; !ok {
		rs.blocked[key] = why
	}
}

// blockedWhy says why a pair cannot be resolved, "" when it can.
func (rs *resolver) blockedWhy(p pair) string {
	for _, k := range []string{p.account, p.account + "/" + p.region, "/" + p.region} {
		if why, ok := rs.blocked[k]; ok {
			return why
		}
	}
	return ""
}

// prepare lists a pair's earlier findings and adds the archiving of the resolved ones to its work.
func (rs *resolver) prepare(ctx context.Context, h *Hub, w *pairWork, res *Result) {
	p := w.pair
	if !rs.scope[p] {
		return
	}
	if why := rs.blockedWhy(p); why != "" {
		res.Unresolved = append(res.Unresolved, Unresolved{Account: p.account, Region: p.region, Reason: why})
		return
	}
	earlier, err := rs.list(ctx, h.client(p), p)
	if err != nil {
		if ctx.Err() == nil {
			res.Failed = append(res.Failed, Failure{Account: p.account, Region: p.region, Operation: OpGet, Code: errorCode(err),
				Message: awsapi.Message(err) + "; earlier findings here were not resolved"})
		}
		return
	}
	for i := range earlier {
		e := &earlier[i]
		if j, ok := w.current[aws.ToString(e.Id)]; ok {
			if e.CreatedAt != nil {
				j.f.CreatedAt = e.CreatedAt
			}
			if e.FirstObservedAt != nil {
				j.f.FirstObservedAt = e.FirstObservedAt
			}
			continue
		}
		if why := rs.resolved(p, e); why != "" {
			w.jobs = append(w.jobs, &job{f: archived(e, rs.now, why)})
		}
	}
}

// list reads every page of eksguard's ACTIVE findings of the benchmark in one account and region.
// The filters go to Security Hub, and every finding that comes back is checked against them again:
// a finding that is not eksguard's, or not of this account and region, is never touched, whatever
// the endpoint answered.
func (rs *resolver) list(ctx context.Context, c *client, p pair) ([]types.AwsSecurityFinding, error) {
	eq := func(v string) []types.StringFilter {
		return []types.StringFilter{{Comparison: types.StringFilterComparisonEquals, Value: aws.String(v)}}
	}
	prefix := render.ASFFGeneratorPrefix + rs.bench + "/"
	in := &shub.GetFindingsInput{MaxResults: aws.Int32(100), Filters: &types.AwsSecurityFindingFilters{
		ProductArn:   eq(p.productArn()),
		AwsAccountId: eq(p.account),
		RecordState:  eq(string(types.RecordStateActive)),
		GeneratorId:  []types.StringFilter{{Comparison: types.StringFilterComparisonPrefix, Value: aws.String(prefix)}},
	}}
	var out []types.AwsSecurityFinding
	seenID := map[string]bool{}
	seenToken := map[[sha256.Size]byte]bool{}
	for page := 1; ; page++ {
		o, err := c.api.GetFindings(ctx, in)
		if err != nil {
			return nil, err
		}
		for _, f := range o.Findings {
			id := aws.ToString(f.Id)
			if aws.ToString(f.ProductArn) != p.productArn() || aws.ToString(f.AwsAccountId) != p.account ||
				f.RecordState != types.RecordStateActive || !strings.HasPrefix(aws.ToString(f.GeneratorId), prefix) || seenID[id] {
				continue
			}
			seenID[id] = true
			out = append(out, f)
		}
		token := aws.ToString(o.NextToken)
		if token == "" {
			sort.Slice(out, func(i, j int) bool { return aws.ToString(out[i].Id) < aws.ToString(out[j].Id) })
			return out, nil
		}
		sum := sha256.Sum256([]byte(token))
		if seenToken[sum] {
			return nil, &awsapi.PaginationError{Operation: "GetFindings", Pages: page, Token: token}
		}
		if page >= maxGetPages {
			return nil, &awsapi.PaginationError{Operation: "GetFindings", Pages: page, Endless: true}
		}
		seenToken[sum] = true
		in.NextToken = aws.String(token)
	}
}

// resolved says why an earlier finding that this run did not produce is resolved, "" when it is
// not, or when eksguard cannot be sure it is.
func (rs *resolver) resolved(p pair, e *types.AwsSecurityFinding) string {
	control, key, ok := rs.parseID(aws.ToString(e.Id))
	if !ok || aws.ToString(e.GeneratorId) != render.ASFFGeneratorID(rs.bench, control) || !rs.controls[control] {
		return ""
	}
	if strings.HasPrefix(key, "arn:") {
		part, region, account, name, ok := render.ASFFParseClusterARN(key)
		if !ok || part != p.partition || region != p.region || account != p.account {
			return ""
		}
		if len(rs.clusters) > 0 && !rs.clusters[name] {
			return ""
		}
		if rs.present[clusterKey{account, region, name}] {
			return "" // still there: its findings of this run say what it is, even ERROR
		}
		return archivedGone
	}
	// A run limited to named clusters does not list the region, so it cannot say the region reads.
	if key == "account/"+p.account+"/region/"+p.region && len(rs.clusters) == 0 {
		return archivedRead
	}
	return ""
}

// parseID splits "eksguard/<benchmark>/<control>/<resource>" into control and resource.
func (rs *resolver) parseID(id string) (control, key string, ok bool) {
	rest, ok := strings.CutPrefix(id, render.ASFFGeneratorPrefix+rs.bench+"/")
	if !ok {
		return "", "", false
	}
	control, key, ok = strings.Cut(rest, "/")
	if !ok || control == "" || key == "" {
		return "", "", false
	}
	return control, key, true
}
