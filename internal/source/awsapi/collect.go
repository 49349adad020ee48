package awsapi

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	"github.com/aws/aws-sdk-go-v2/service/eks"
	ekstypes "github.com/aws/aws-sdk-go-v2/service/eks/types"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	"github.com/aws/smithy-go/middleware"

	"github.com/eksguard/eksguard/internal/model"
)

// Scope says what to collect.
type Scope struct {
	// Regions to scan; empty with AllRegions unset means the configured region.
	Regions []string
	// AllRegions scans every region enabled for each account (ec2:DescribeRegions).
	AllRegions bool
	// Clusters limits the scan to these names (DescribeCluster only, no listing).
	Clusters []string
	// Accounts, when set by an organization scan, are scanned instead of the caller's account.
	Accounts []Account
	// Caller and Skipped are copied into the inventory when Accounts were resolved beforehand.
	Caller  string
	Skipped []model.Skip
}

// Account is one account to scan and the credentials to scan it with.
type Account struct {
	ID    string
	Creds aws.CredentialsProvider
	// Err is set when the account cannot be entered (its role cannot be assumed); the account then
	// yields an ERROR and nothing else.
	Err *model.Error
}

// Collector reads clusters from AWS.
type Collector struct {
	skipMu  sync.Mutex
	skipped []model.Skip

	Clients *Clients
	// Describers is how many DescribeCluster calls one pair keeps in flight.
	Describers int
	// Progress, when set, is told as work completes.
	Progress Progress
	Now      func() time.Time
	// Parts are what to read beyond DescribeCluster: those the selected controls need
	// (benchmark.Parts). None makes exactly the calls the endpoint controls need.
	Parts model.Parts

	rolesMu sync.Mutex
	roles   map[string]*roleCache
}

// Progress receives counts as the scan advances; implementations must be safe for concurrent use.
type Progress interface {
	AddTotal(accounts, regions, clusters int)
	Done(accounts, regions, clusters, errors int)
}

func (c *Collector) skip(s model.Skip) {
	c.skipMu.Lock()
	defer c.skipMu.Unlock()
	c.skipped = append(c.skipped, s)
}

func (c *Collector) now() time.Time {
	if c.Now != nil {
		return c.Now()
	}
	return time.Now()
}

func (c *Collector) progressTotal(a, r, cl int) {
	if c.Progress != nil {
		c.Progress.AddTotal(a, r, cl)
	}
}

func (c *Collector) progressDone(a, r, cl, e int) {
	if c.Progress != nil {
		c.Progress.Done(a, r, cl, e)
	}
}

// baseRegion is where account-wide calls (STS, DescribeRegions) go.
func (c *Collector) baseRegion() string {
	if c.Clients.Base.Region != "" {
		return c.Clients.Base.Region
	}
	return "us-east-1"
}

// credentialFixes are the ways to give eksguard credentials, named when it has none.
const credentialFixes = "run 'aws configure' (access keys) or 'aws sso login --profile NAME' (IAM Identity Center), " +
	"then pass --profile NAME or set AWS_PROFILE; or set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY; " +
	"or run where an instance or container role is available"

// CheckCredentials fails with a FatalError when no credentials can be found, before any call is made.
func (c *Collector) CheckCredentials(ctx context.Context) error {
	if c.Clients.Base.Credentials == nil {
		return &FatalError{Denied: true, Err: errors.New("no AWS credentials; " + credentialFixes)}
	}
	if _, err := c.Clients.Base.Credentials.Retrieve(ctx); err != nil {
		if ctx.Err() != nil {
			return ctx.Err()
		}
		return &FatalError{Denied: true, Err: fmt.Errorf("no usable AWS credentials (%w); %s", err, credentialFixes)}
	}
	return nil
}

// Identity is the caller as STS sees it.
type Identity struct {
	Account string
	ARN     string
}

// WhoAmI asks STS who the caller is.
func (c *Collector) WhoAmI(ctx context.Context, creds aws.CredentialsProvider) (Identity, error) {
	out, err := c.Clients.STS(creds, c.baseRegion()).GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
	if err != nil {
		return Identity{}, err
	}
	return Identity{Account: aws.ToString(out.Account), ARN: aws.ToString(out.Arn)}, nil
}

// Caller checks that credentials exist and asks STS who the caller is. GetCallerIdentity needs no
// permission, but an SCP or endpoint policy can still refuse it: the account is then empty and read
// from cluster ARNs later. An unreachable endpoint is fatal.
func (c *Collector) Caller(ctx context.Context) (Identity, error) {
	if err := c.CheckCredentials(ctx); err != nil {
		return Identity{}, err
	}
	id, err := c.WhoAmI(ctx, nil)
	switch {
	case err == nil || IsAccessDenied(err):
		return id, nil
	case ctx.Err() != nil:
		return Identity{}, ctx.Err()
	}
	return Identity{}, &FatalError{Err: fmt.Errorf("cannot reach AWS (sts:GetCallerIdentity): %s", Message(err))}
}

// Collect reads every cluster in scope. Parts that cannot be read become inventory errors and the
// rest goes on; only a failure that leaves nothing to scan returns an error. A cancelled context
// returns its error and no inventory, never a partial one.
func (c *Collector) Collect(ctx context.Context, scope Scope) (*model.Inventory, error) {
	inv := &model.Inventory{CollectedAt: c.now().UTC(), Caller: scope.Caller, Clusters: []*model.Cluster{}, Errors: []model.Error{}, Skipped: append([]model.Skip{}, scope.Skipped...), Parts: c.Parts}
	accounts := scope.Accounts
	if accounts == nil {
		id, err := c.Caller(ctx)
		if err != nil {
			return nil, err
		}
		inv.Caller = id.ARN
		accounts = []Account{{ID: id.Account}}
	}
	c.progressTotal(len(accounts), 0, 0)

	var mu sync.Mutex
	var wg sync.WaitGroup
	for _, acct := range accounts {
		wg.Add(1)
		go func(acct Account) {
			defer wg.Done()
			clusters, regs, errs := c.collectAccount(ctx, acct, scope)
			mu.Lock()
			inv.Clusters = append(inv.Clusters, clusters...)
			inv.Registries = append(inv.Registries, regs...)
			inv.Errors = append(inv.Errors, errs...)
			mu.Unlock()
			c.progressDone(1, 0, 0, 0)
		}(acct)
	}
	wg.Wait()
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if len(scope.Clusters) > 0 {
		inv.Errors = append(inv.Errors, notFound(accounts, scope, inv.Clusters, inv.Errors)...)
	}
	c.skipMu.Lock()
	inv.Skipped = append(inv.Skipped, c.skipped...)
	c.skipped = nil
	c.skipMu.Unlock()
	sortInventory(inv)
	return inv, nil
}

// sortInventory orders everything by account, region and name, so that reports and snapshots are
// stable whatever order the calls finished in.
func sortInventory(inv *model.Inventory) {
	sort.SliceStable(inv.Skipped, func(i, j int) bool {
		a, b := inv.Skipped[i], inv.Skipped[j]
		return placeLess(a.Account, a.Region, a.Reason, b.Account, b.Region, b.Reason)
	})
	sort.SliceStable(inv.Clusters, func(i, j int) bool {
		a, b := inv.Clusters[i], inv.Clusters[j]
		return placeLess(a.Account, a.Region, a.Name, b.Account, b.Region, b.Name)
	})
	sort.SliceStable(inv.Registries, func(i, j int) bool {
		a, b := inv.Registries[i], inv.Registries[j]
		return placeLess(a.Account, a.Region, "", b.Account, b.Region, "")
	})
	sort.SliceStable(inv.Errors, func(i, j int) bool {
		a, b := inv.Errors[i], inv.Errors[j]
		return placeLess(a.Account, a.Region, a.Cluster, b.Account, b.Region, b.Cluster)
	})
}

func placeLess(acctA, regionA, nameA, acctB, regionB, nameB string) bool {
	if acctA != acctB {
		return acctA < acctB
	}
	if regionA != regionB {
		return regionA < regionB
	}
	return nameA < nameB
}

func (c *Collector) collectAccount(ctx context.Context, acct Account, scope Scope) ([]*model.Cluster, []*model.Registry, []model.Error) {
	if acct.Err != nil {
		c.progressDone(0, 0, 0, 1)
		return nil, nil, []model.Error{*acct.Err}
	}
	regions := scope.Regions
	if scope.AllRegions {
		rs, err := c.EnabledRegions(ctx, acct.Creds)
		if err != nil {
			e := Classify(err, "ec2:DescribeRegions")
			e.Account = acct.ID
			c.progressDone(0, 0, 0, 1)
			return nil, nil, []model.Error{e}
		}
		regions = rs
	}
	c.progressTotal(0, len(regions), 0)
	var (
		mu       sync.Mutex
		wg       sync.WaitGroup
		clusters []*model.Cluster
		regs     []*model.Registry
		errs     []model.Error
	)
	for _, region := range regions {
		wg.Add(1)
		go func(region string) {
			defer wg.Done()
			var reg *model.Registry
			var rwg sync.WaitGroup
			if c.Parts.Has(model.PartRegistry) {
				// The registry is read whether or not the region's clusters can be.
				rwg.Go(func() { reg = c.registry(ctx, acct, region) })
			}
			cl, es := c.collectPair(ctx, acct, region, scope.Clusters)
			rwg.Wait()
			mu.Lock()
			clusters = append(clusters, cl...)
			if reg != nil {
				regs = append(regs, reg)
			}
			errs = append(errs, es...)
			mu.Unlock()
			c.progressDone(0, 1, 0, 0)
		}(region)
	}
	wg.Wait()
	return clusters, regs, errs
}

// notFound reports each requested cluster that no scanned account and region had, unless a region
// or account failed (the cluster may be there).
func notFound(accounts []Account, scope Scope, found []*model.Cluster, errs []model.Error) []model.Error {
	for _, e := range errs {
		if e.Cluster == "" {
			return nil
		}
	}
	have := map[string]bool{}
	for _, c := range found {
		have[c.Name] = true
	}
	for _, e := range errs {
		have[e.Cluster] = true
	}
	where := "the scanned regions"
	if len(scope.Regions) > 0 {
		where = strings.Join(scope.Regions, ", ")
	}
	account := ""
	if len(accounts) == 1 {
		account = accounts[0].ID
	} else {
		where += fmt.Sprintf(" of %d accounts", len(accounts))
	}
	var out []model.Error
	for _, n := range scope.Clusters {
		if !have[n] {
			out = append(out, model.Error{Account: account, Cluster: n, Operation: "eks:DescribeCluster", Code: "ResourceNotFoundException",
				Message: fmt.Sprintf("cluster %q not found in %s", n, where)})
		}
	}
	return out
}

// EnabledRegions lists the regions enabled for the account.
func (c *Collector) EnabledRegions(ctx context.Context, creds aws.CredentialsProvider) ([]string, error) {
	out, err := c.Clients.EC2(creds, c.baseRegion()).DescribeRegions(ctx, &ec2.DescribeRegionsInput{})
	if err != nil {
		return nil, err
	}
	var regions []string
	for _, r := range out.Regions {
		if st := aws.ToString(r.OptInStatus); st == "not-opted-in" {
			continue
		}
		regions = append(regions, aws.ToString(r.RegionName))
	}
	sort.Strings(regions)
	return regions, nil
}

func (c *Collector) describers() int {
	if c.Describers > 0 {
		return c.Describers
	}
	// Two calls in flight keep a pair at its pace against real EKS latencies (up to 200 ms at 10
	// requests/s). More only lets responses overtake each other, so that requests the pacer spaced
	// evenly reach the service bunched together and get throttled: measured on the 10,200-cluster
	// benchmark, 4 per pair drew 150 throttles and finished 30% later than 2, which drew none.
	return 2
}

// collectPair reads one (account, region): list every page, then describe each cluster.
func (c *Collector) collectPair(ctx context.Context, acct Account, region string, only []string) ([]*model.Cluster, []model.Error) {
	client := c.Clients.EKS(acct.Creds, acct.ID, region)
	names := only
	if len(only) == 0 {
		var err error
		names, err = ListClusterNames(ctx, client)
		if err != nil {
			e := Classify(err, "eks:ListClusters")
			e.Account, e.Region = acct.ID, region
			c.progressDone(0, 0, 0, 1)
			return nil, []model.Error{e}
		}
	}
	c.progressTotal(0, 0, len(names))
	results := make([]describeResult, len(names))
	// A few long-lived workers per pair rather than a goroutine per cluster: the SDK's call stack is
	// deep, and growing a fresh goroutine's stack for every call is measurable at fleet scale.
	next := make(chan int)
	var wg sync.WaitGroup
	for w := 0; w < min(c.describers(), len(names)); w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range next {
				results[i] = c.describeOne(ctx, client, acct.ID, region, names[i], len(only) > 0)
			}
		}()
	}
	for i := range names {
		next <- i
	}
	close(next)
	wg.Wait()
	var clusters []*model.Cluster
	var errs []model.Error
	for i, r := range results {
		if r.gone {
			c.skip(model.Skip{Account: acct.ID, Region: region, Reason: fmt.Sprintf("cluster %s was deleted during the scan (listed, then not found)", names[i])})
		}
		if r.cluster != nil {
			clusters = append(clusters, r.cluster)
		}
		if r.err != nil {
			errs = append(errs, *r.err)
		}
	}
	if len(c.Parts) > 0 && !(len(c.Parts) == 1 && c.Parts.Has(model.PartProbe)) && ctx.Err() == nil {
		c.partsOf(ctx, acct, region, client, clusters)
	}
	return clusters, errs
}

type describeResult struct {
	cluster *model.Cluster
	err     *model.Error
	gone    bool
}

func (c *Collector) describeOne(ctx context.Context, client EKSAPI, account, region, name string, named bool) describeResult {
	cl, err := DescribeCluster(ctx, client, account, region, name)
	switch {
	case err != nil && isNotFound(err):
		// Asked by name: absent from this region is normal; notFound reports names found nowhere.
		// Listed: the cluster was deleted between ListClusters and DescribeCluster.
		c.progressDone(0, 0, 1, 0)
		return describeResult{gone: !named}
	case err != nil:
		e := Classify(err, "eks:DescribeCluster")
		e.Account, e.Region, e.Cluster = account, region, name
		c.progressDone(0, 0, 1, 1)
		return describeResult{err: &e}
	}
	c.progressDone(0, 0, 1, 0)
	if !c.Parts.Has(model.PartProbe) && !c.Parts.Has(model.PartKubernetes) && !c.Parts.Has(model.PartKubelet) {
		// Only the probe and the Kubernetes reads verify against the CA; a fleet's worth of
		// bundles is megabytes.
		cl.CAData = ""
	}
	return describeResult{cluster: cl}
}

func isNotFound(err error) bool {
	var nf *ekstypes.ResourceNotFoundException
	return errors.As(err, &nf)
}

// ListClusterNames reads every page of ListClusters, registered (connector) clusters included.
func ListClusterNames(ctx context.Context, client EKSAPI) ([]string, error) {
	var names []string
	p := newPages("ListClusters")
	for more := true; more; {
		page, err := client.ListClusters(ctx, &eks.ListClustersInput{Include: []string{"all"}, NextToken: p.token})
		if err != nil {
			return nil, err
		}
		names = append(names, page.Clusters...)
		if more, err = p.next(page.NextToken); err != nil {
			return nil, err
		}
	}
	return names, nil
}

// DescribeCluster reads one cluster into the model. For a cluster that is UPDATING it also lists the
// updates in progress, so the evidence shows what is changing.
func DescribeCluster(ctx context.Context, client EKSAPI, account, region, name string) (*model.Cluster, error) {
	out, err := client.DescribeCluster(ctx, &eks.DescribeClusterInput{Name: aws.String(name)}, withRawBody)
	if err != nil {
		return nil, err
	}
	if out.Cluster == nil {
		return nil, fmt.Errorf("describe cluster %q: response has no cluster", name)
	}
	raw, _ := rawBody(out.ResultMetadata)
	cl := convert(out.Cluster, account, region, raw)
	if cl.Status == model.StatusUpdating {
		ups, err := UpdatesInProgress(ctx, client, name)
		if err != nil {
			cl.UpdatesError = Message(err)
		}
		cl.Updates = ups
	}
	return cl, nil
}

func rawBody(md middleware.Metadata) ([]byte, bool) {
	b, ok := md.Get(rawBodyKey{}).([]byte)
	return b, ok
}

// UpdatesInProgress lists a cluster's updates and keeps those still InProgress.
func UpdatesInProgress(ctx context.Context, client EKSAPI, name string) ([]model.Update, error) {
	var out []model.Update
	err := EachUpdate(ctx, client, name, func(u *ekstypes.Update) bool {
		if u.Status == ekstypes.UpdateStatusInProgress {
			out = append(out, convertUpdate(u))
		}
		return true
	})
	return out, err
}

// EachUpdate reads every update of a cluster (ListUpdates, every page, guarded against listings that
// loop; then DescribeUpdate) and hands each to fn until it returns false.
func EachUpdate(ctx context.Context, client EKSAPI, name string, fn func(*ekstypes.Update) bool) error {
	p := newPages("ListUpdates")
	for more := true; more; {
		page, err := client.ListUpdates(ctx, &eks.ListUpdatesInput{Name: aws.String(name), NextToken: p.token})
		if err != nil {
			return err
		}
		for _, id := range page.UpdateIds {
			u, err := client.DescribeUpdate(ctx, &eks.DescribeUpdateInput{Name: aws.String(name), UpdateId: aws.String(id)})
			if err != nil {
				return err
			}
			if u.Update != nil && !fn(u.Update) {
				return nil
			}
		}
		if more, err = p.next(page.NextToken); err != nil {
			return err
		}
	}
	return nil
}
