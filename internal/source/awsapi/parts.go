package awsapi

import (
	"context"
	"errors"
	"net/url"
	"slices"
	"sort"
	"strings"
	"sync"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	ec2types "github.com/aws/aws-sdk-go-v2/service/ec2/types"
	"github.com/aws/aws-sdk-go-v2/service/ecr"
	"github.com/aws/aws-sdk-go-v2/service/eks"
	ekstypes "github.com/aws/aws-sdk-go-v2/service/eks/types"
	"github.com/aws/aws-sdk-go-v2/service/elasticloadbalancing"
	"github.com/aws/aws-sdk-go-v2/service/elasticloadbalancingv2"
	elbv2types "github.com/aws/aws-sdk-go-v2/service/elasticloadbalancingv2/types"
	"github.com/aws/aws-sdk-go-v2/service/iam"

	"github.com/eksguard/eksguard/internal/model"
)

// The parts beyond DescribeCluster (model.Part) are read here, only those the selected controls
// need. A call that fails becomes a PartError of the clusters it was for (or an Error of the
// registry), so that only the controls reading that part are ERROR. docs/controls-beyond-the-cluster.md
// says which call each part makes and how clusters are tied to what is read region-wide.

// The tags that tie instances and load balancers to a cluster.
const (
	tagClusterName = "eks:cluster-name"
	tagLBCluster   = "elbv2.k8s.aws/cluster"
	tagK8sCluster  = "kubernetes.io/cluster/"
)

// nameTags are the instance tags whose value is the cluster's name: managed node groups' own and
// the one EC2 adds for them, and Karpenter's and EKS Auto Mode's.
var nameTags = []string{tagClusterName, "aws:eks:cluster-name", "eks:eks-cluster-name"}

// partsOf collects the parts of the clusters of one pair that the selected controls read.
func (c *Collector) partsOf(ctx context.Context, acct Account, region string, client *eks.Client, clusters []*model.Cluster) {
	ps := c.Parts
	var wg sync.WaitGroup
	// Clusters whose control plane EKS does not run have no parts to read.
	var live []*model.Cluster
	for _, cl := range clusters {
		if !cl.Connector && cl.Status != model.StatusCreating && cl.Status != model.StatusPending {
			live = append(live, cl)
		}
	}
	var clusterParts model.Parts
	for _, p := range ps {
		// The registry is the region's, and the probe is made by the scan after collection.
		if p != model.PartRegistry && p != model.PartProbe {
			clusterParts = clusterParts.Add(p)
		}
	}
	if len(live) > 0 && len(clusterParts) > 0 {
		if ps.Has(model.PartLoadBalancers) {
			wg.Go(func() { c.loadBalancers(ctx, acct, region, live) })
		}
		c.perCluster(ctx, client, live)
		if ps.Has(model.PartInstances) || ps.Has(model.PartSubnets) || ps.Has(model.PartNodeRoles) {
			c.instances(ctx, acct, region, live)
		}
		if ps.Has(model.PartSubnets) {
			c.subnets(ctx, acct, region, live)
		}
		if ps.Has(model.PartNodeRoles) {
			c.nodeRoles(ctx, acct, region, live)
		}
	}
	wg.Wait()
	for _, cl := range live {
		cl.Parts = cl.Parts.Add(clusterParts...)
	}
}

// fail records a failed call on every cluster it was for.
func fail(err error, op string, clusters ...*model.Cluster) {
	for _, cl := range clusters {
		e := Classify(err, op)
		e.Account, e.Region, e.Cluster, e.ARN = cl.Account, cl.Region, cl.Name, cl.ARN
		cl.PartErrors = append(cl.PartErrors, e)
	}
}

// perCluster reads the EKS parts of each cluster (node groups, access entries, the VPC CNI
// add-on), a few clusters at a time, through the pair's paced EKS client.
func (c *Collector) perCluster(ctx context.Context, client *eks.Client, clusters []*model.Cluster) {
	next := make(chan *model.Cluster)
	var wg sync.WaitGroup
	for w := 0; w < min(c.describers(), len(clusters)); w++ {
		wg.Go(func() {
			for cl := range next {
				if c.Parts.Has(model.PartNodeGroups) {
					nodegroups(ctx, client, cl)
				}
				if c.Parts.Has(model.PartAccessEntries) {
					accessEntries(ctx, client, cl)
				}
				if c.Parts.Has(model.PartAddons) {
					addon(ctx, client, cl, "vpc-cni")
				}
			}
		})
	}
	for _, cl := range clusters {
		if ctx.Err() != nil {
			break
		}
		next <- cl
	}
	close(next)
	wg.Wait()
}

func nodegroups(ctx context.Context, client *eks.Client, cl *model.Cluster) {
	var names []string
	p := newPages("ListNodegroups")
	for more := true; more; {
		page, err := client.ListNodegroups(ctx, &eks.ListNodegroupsInput{ClusterName: aws.String(cl.Name), NextToken: p.token})
		if err != nil {
			fail(err, "eks:ListNodegroups", cl)
			return
		}
		names = append(names, page.Nodegroups...)
		if more, err = p.next(page.NextToken); err != nil {
			fail(err, "eks:ListNodegroups", cl)
			return
		}
	}
	for _, n := range names {
		out, err := client.DescribeNodegroup(ctx, &eks.DescribeNodegroupInput{ClusterName: aws.String(cl.Name), NodegroupName: aws.String(n)})
		switch {
		case err != nil && isNotFound(err):
			continue // deleted since it was listed
		case err != nil:
			fail(err, "eks:DescribeNodegroup", cl)
			continue
		case out.Nodegroup == nil:
			fail(errors.New("response has no nodegroup"), "eks:DescribeNodegroup", cl)
			continue
		}
		cl.NodeGroups = append(cl.NodeGroups, convertNodegroup(out.Nodegroup))
	}
}

func convertNodegroup(ng *ekstypes.Nodegroup) model.NodeGroup {
	m := model.NodeGroup{Name: aws.ToString(ng.NodegroupName), ARN: aws.ToString(ng.NodegroupArn), Status: string(ng.Status),
		NodeRole: aws.ToString(ng.NodeRole), Subnets: model.ExplicitList(ng.Subnets...), RemoteAccess: model.Explicit(false)}
	if ng.RemoteAccess != nil && aws.ToString(ng.RemoteAccess.Ec2SshKey) != "" {
		m.RemoteAccess = model.Explicit(true)
		m.RemoteAccessSources = ng.RemoteAccess.SourceSecurityGroups
	}
	return m
}

// accessEntries finds node roles granted by EC2 access entries. A cluster whose authentication
// mode does not include API has none (and EKS refuses the listing), so it is not asked.
func accessEntries(ctx context.Context, client *eks.Client, cl *model.Cluster) {
	mode := cl.AuthenticationMode
	if !mode.Known() || !strings.HasPrefix(mode.Value, "API") {
		return
	}
	var principals []string
	p := newPages("ListAccessEntries")
	for more := true; more; {
		page, err := client.ListAccessEntries(ctx, &eks.ListAccessEntriesInput{ClusterName: aws.String(cl.Name), NextToken: p.token})
		if err != nil {
			fail(err, "eks:ListAccessEntries", cl)
			return
		}
		principals = append(principals, page.AccessEntries...)
		if more, err = p.next(page.NextToken); err != nil {
			fail(err, "eks:ListAccessEntries", cl)
			return
		}
	}
	for _, arn := range principals {
		// Only roles can be node roles; users are never EC2 entries.
		if !strings.Contains(arn, ":role/") {
			continue
		}
		out, err := client.DescribeAccessEntry(ctx, &eks.DescribeAccessEntryInput{ClusterName: aws.String(cl.Name), PrincipalArn: aws.String(arn)})
		switch {
		case err != nil && isNotFound(err):
			continue
		case err != nil:
			fail(err, "eks:DescribeAccessEntry", cl)
			continue
		case out.AccessEntry == nil:
			continue
		}
		if t := aws.ToString(out.AccessEntry.Type); t == "EC2_LINUX" || t == "EC2_WINDOWS" {
			addRole(cl, aws.ToString(out.AccessEntry.PrincipalArn), "access entry "+t)
		}
	}
}

// addRole records a node role of the cluster and how it was found.
func addRole(cl *model.Cluster, arn, from string) {
	if arn == "" {
		return
	}
	for i := range cl.NodeRoles {
		if cl.NodeRoles[i].ARN == arn {
			if !slices.Contains(cl.NodeRoles[i].From, from) {
				cl.NodeRoles[i].From = append(cl.NodeRoles[i].From, from)
			}
			return
		}
	}
	cl.NodeRoles = append(cl.NodeRoles, model.Role{ARN: arn, Name: roleName(arn), From: []string{from}, Policies: []model.Policy{}})
}

// roleName is the last part of a role ARN (the name, without its path).
func roleName(arn string) string {
	if i := strings.LastIndex(arn, "/"); i >= 0 {
		return arn[i+1:]
	}
	return arn
}

func addon(ctx context.Context, client *eks.Client, cl *model.Cluster, name string) {
	out, err := client.DescribeAddon(ctx, &eks.DescribeAddonInput{ClusterName: aws.String(cl.Name), AddonName: aws.String(name)})
	switch {
	case err != nil && isNotFound(err):
		return // not an add-on: self-managed, or another CNI
	case err != nil:
		fail(err, "eks:DescribeAddon", cl)
		return
	case out.Addon == nil:
		fail(errors.New("response has no addon"), "eks:DescribeAddon", cl)
		return
	}
	a := out.Addon
	cl.Addons = append(cl.Addons, model.Addon{Name: aws.ToString(a.AddonName), Version: aws.ToString(a.AddonVersion), Status: string(a.Status),
		ConfigurationValues: model.ExplicitString(aws.ToString(a.ConfigurationValues))})
}

// instances reads the instances tagged for the pair's clusters, in one listing: a tag-key filter
// takes several values, and an instance matches when it has any of them.
func (c *Collector) instances(ctx context.Context, acct Account, region string, clusters []*model.Cluster) {
	byName := map[string]*model.Cluster{}
	keys := append([]string{}, nameTags...)
	for _, cl := range clusters {
		byName[cl.Name] = cl
		keys = append(keys, tagK8sCluster+cl.Name)
	}
	client := c.Clients.EC2(acct.Creds, region)
	// EC2 takes at most 200 values per filter.
	for start := 0; start < len(keys); start += 200 {
		chunk := keys[start:min(start+200, len(keys))]
		in := &ec2.DescribeInstancesInput{Filters: []ec2types.Filter{
			{Name: aws.String("tag-key"), Values: chunk},
			{Name: aws.String("instance-state-name"), Values: []string{"pending", "running", "stopping", "stopped"}},
		}}
		p := newPages("DescribeInstances")
		for more := true; more; {
			in.NextToken = p.token
			page, err := client.DescribeInstances(ctx, in)
			if err != nil {
				fail(err, "ec2:DescribeInstances", clusters...)
				return
			}
			for _, r := range page.Reservations {
				for _, inst := range r.Instances {
					if cl := instanceCluster(inst.Tags, byName); cl != nil {
						cl.Instances = append(cl.Instances, convertInstance(inst))
					}
				}
			}
			if more, err = p.next(page.NextToken); err != nil {
				fail(err, "ec2:DescribeInstances", clusters...)
				return
			}
		}
	}
}

// instanceCluster is the cluster an instance's tags tie it to.
func instanceCluster(tags []ec2types.Tag, byName map[string]*model.Cluster) *model.Cluster {
	for _, t := range tags {
		k, v := aws.ToString(t.Key), aws.ToString(t.Value)
		if slices.Contains(nameTags, k) {
			if cl := byName[v]; cl != nil {
				return cl
			}
		}
		if name, ok := strings.CutPrefix(k, tagK8sCluster); ok {
			if cl := byName[name]; cl != nil {
				return cl
			}
		}
	}
	return nil
}

func convertInstance(inst ec2types.Instance) model.Instance {
	m := model.Instance{ID: aws.ToString(inst.InstanceId), SubnetID: aws.ToString(inst.SubnetId), PublicIP: aws.ToString(inst.PublicIpAddress)}
	if inst.State != nil {
		m.State = string(inst.State.Name)
	}
	if inst.IamInstanceProfile != nil {
		m.InstanceProfile = aws.ToString(inst.IamInstanceProfile.Arn)
	}
	for _, ni := range inst.NetworkInterfaces {
		for _, a := range ni.Ipv6Addresses {
			m.IPv6 = append(m.IPv6, aws.ToString(a.Ipv6Address))
		}
	}
	for _, t := range inst.Tags {
		if aws.ToString(t.Key) == "eks:nodegroup-name" {
			m.NodeGroup = aws.ToString(t.Value)
		}
	}
	return m
}

// subnets reads the subnets the nodes run in and the route tables of their VPCs, and decides
// for each subnet the route table that applies and whether it has a default route to an internet
// gateway.
func (c *Collector) subnets(ctx context.Context, acct Account, region string, clusters []*model.Cluster) {
	var ids []string
	for _, cl := range clusters {
		for _, ng := range cl.NodeGroups {
			ids = append(ids, ng.Subnets.Values...)
		}
		for _, in := range cl.Instances {
			if in.SubnetID != "" {
				ids = append(ids, in.SubnetID)
			}
		}
	}
	slices.Sort(ids)
	ids = slices.Compact(ids)
	if len(ids) == 0 {
		return
	}
	client := c.Clients.EC2(acct.Creds, region)
	found := map[string]ec2types.Subnet{}
	for start := 0; start < len(ids); start += 200 {
		// A filter, not SubnetIds: one subnet deleted since a node group named it would fail
		// the whole call with InvalidSubnetID.NotFound.
		in := &ec2.DescribeSubnetsInput{Filters: []ec2types.Filter{{Name: aws.String("subnet-id"), Values: ids[start:min(start+200, len(ids))]}}}
		p := newPages("DescribeSubnets")
		for more := true; more; {
			in.NextToken = p.token
			page, err := client.DescribeSubnets(ctx, in)
			if err != nil {
				fail(err, "ec2:DescribeSubnets", clusters...)
				return
			}
			for _, s := range page.Subnets {
				found[aws.ToString(s.SubnetId)] = s
			}
			if more, err = p.next(page.NextToken); err != nil {
				fail(err, "ec2:DescribeSubnets", clusters...)
				return
			}
		}
	}
	var vpcs []string
	for _, s := range found {
		vpcs = append(vpcs, aws.ToString(s.VpcId))
	}
	slices.Sort(vpcs)
	vpcs = slices.Compact(vpcs)
	var tables []ec2types.RouteTable
	if len(vpcs) > 0 {
		in := &ec2.DescribeRouteTablesInput{Filters: []ec2types.Filter{{Name: aws.String("vpc-id"), Values: vpcs}}}
		p := newPages("DescribeRouteTables")
		for more := true; more; {
			in.NextToken = p.token
			page, err := client.DescribeRouteTables(ctx, in)
			if err != nil {
				fail(err, "ec2:DescribeRouteTables", clusters...)
				return
			}
			tables = append(tables, page.RouteTables...)
			if more, err = p.next(page.NextToken); err != nil {
				fail(err, "ec2:DescribeRouteTables", clusters...)
				return
			}
		}
	}
	subnets := map[string]model.Subnet{}
	for id, s := range found {
		subnets[id] = convertSubnet(s, tables)
	}
	for _, cl := range clusters {
		seen := map[string]bool{}
		add := func(id string) {
			if s, ok := subnets[id]; ok && !seen[id] {
				seen[id] = true
				cl.Subnets = append(cl.Subnets, s)
			}
		}
		for _, ng := range cl.NodeGroups {
			for _, id := range ng.Subnets.Values {
				add(id)
			}
		}
		for _, in := range cl.Instances {
			add(in.SubnetID)
		}
		sort.Slice(cl.Subnets, func(i, j int) bool { return cl.Subnets[i].ID < cl.Subnets[j].ID })
	}
}

// convertSubnet finds the subnet's route table (its explicit association, else its VPC's main
// table) and that table's default route to an internet gateway.
func convertSubnet(s ec2types.Subnet, tables []ec2types.RouteTable) model.Subnet {
	id, vpc := aws.ToString(s.SubnetId), aws.ToString(s.VpcId)
	m := model.Subnet{ID: id, MapPublicIPOnLaunch: model.Explicit(aws.ToBool(s.MapPublicIpOnLaunch))}
	var table, main *ec2types.RouteTable
	for i := range tables {
		t := &tables[i]
		if aws.ToString(t.VpcId) != vpc {
			continue
		}
		for _, a := range t.Associations {
			if aws.ToString(a.SubnetId) == id {
				table = t
			}
			if aws.ToBool(a.Main) {
				main = t
			}
		}
	}
	if table == nil {
		table = main
	}
	if table == nil {
		m.Routed = model.Unknown("no route table of VPC " + vpc + " applies to it (none associated and no main table found)")
		return m
	}
	m.RouteTable = aws.ToString(table.RouteTableId)
	m.Routed = model.Explicit(true)
	var routes []string
	for _, r := range table.Routes {
		gw := aws.ToString(r.GatewayId)
		if !strings.HasPrefix(gw, "igw-") || r.State == ec2types.RouteStateBlackhole {
			continue
		}
		for _, dst := range []string{aws.ToString(r.DestinationCidrBlock), aws.ToString(r.DestinationIpv6CidrBlock)} {
			if dst == "0.0.0.0/0" || dst == "::/0" {
				routes = append(routes, dst+" -> "+gw)
			}
		}
	}
	m.InternetRoute = strings.Join(routes, ", ")
	return m
}

// roleCache holds node roles' policies per account: IAM is global, and one node role usually
// serves many clusters in many regions.
type roleCache struct {
	mu    sync.Mutex
	roles map[string]*roleEntry
}

type roleEntry struct {
	once     sync.Once
	policies []model.Policy
	errs     []error
	ops      []string
}

func (c *Collector) roleEntry(account, arn string) *roleEntry {
	c.rolesMu.Lock()
	defer c.rolesMu.Unlock()
	if c.roles == nil {
		c.roles = map[string]*roleCache{}
	}
	rc := c.roles[account]
	if rc == nil {
		rc = &roleCache{roles: map[string]*roleEntry{}}
		c.roles[account] = rc
	}
	rc.mu.Lock()
	defer rc.mu.Unlock()
	e := rc.roles[arn]
	if e == nil {
		e = &roleEntry{}
		rc.roles[arn] = e
	}
	return e
}

// nodeRoles finds every node role of the clusters (node groups' nodeRole, EC2 access entries read
// already, instance profiles of tagged instances) and reads their policies.
func (c *Collector) nodeRoles(ctx context.Context, acct Account, region string, clusters []*model.Cluster) {
	client := c.Clients.IAM(acct.Creds, c.baseRegion())
	profiles := map[string]string{} // instance profile ARN -> role ARN
	var perr error
	for _, cl := range clusters {
		for _, ng := range cl.NodeGroups {
			addRole(cl, ng.NodeRole, "nodegroup "+ng.Name)
		}
		for _, in := range cl.Instances {
			if in.InstanceProfile == "" {
				continue
			}
			role, seen := profiles[in.InstanceProfile]
			if !seen {
				role, perr = instanceProfileRole(ctx, client, in.InstanceProfile)
				if perr != nil && !isNoSuchEntity(perr) {
					fail(perr, "iam:GetInstanceProfile", cl)
					continue
				}
				profiles[in.InstanceProfile] = role
			}
			addRole(cl, role, "instance "+in.ID)
		}
	}
	for _, cl := range clusters {
		for i := range cl.NodeRoles {
			r := &cl.NodeRoles[i]
			e := c.roleEntry(acct.ID, r.ARN)
			e.once.Do(func() { e.policies, e.errs, e.ops = rolePolicies(ctx, client, r.Name) })
			r.Policies = append(r.Policies, e.policies...)
			for j, err := range e.errs {
				fail(err, e.ops[j], cl)
			}
		}
		sort.Slice(cl.NodeRoles, func(i, j int) bool { return cl.NodeRoles[i].ARN < cl.NodeRoles[j].ARN })
	}
}

func isNoSuchEntity(err error) bool {
	var ae interface{ ErrorCode() string }
	return errors.As(err, &ae) && ae.ErrorCode() == "NoSuchEntity"
}

// instanceProfileRole is the role of an instance profile, "" when it has none.
func instanceProfileRole(ctx context.Context, client *iam.Client, arn string) (string, error) {
	name := arn
	if i := strings.LastIndex(arn, "/"); i >= 0 {
		name = arn[i+1:]
	}
	out, err := client.GetInstanceProfile(ctx, &iam.GetInstanceProfileInput{InstanceProfileName: aws.String(name)})
	if err != nil {
		return "", err
	}
	if out.InstanceProfile == nil || len(out.InstanceProfile.Roles) == 0 {
		return "", nil
	}
	return aws.ToString(out.InstanceProfile.Roles[0].Arn), nil
}

// rolePolicies reads a role's attached and inline policies with their documents. Failed calls are
// returned with the IAM action each was.
func rolePolicies(ctx context.Context, client *iam.Client, role string) (out []model.Policy, errs []error, ops []string) {
	failed := func(err error, op string) {
		errs = append(errs, err)
		ops = append(ops, op)
	}
	var marker *string
	var attached []string
	for n := 0; ; n++ {
		page, err := client.ListAttachedRolePolicies(ctx, &iam.ListAttachedRolePoliciesInput{RoleName: aws.String(role), Marker: marker})
		if err != nil {
			failed(err, "iam:ListAttachedRolePolicies")
			break
		}
		for _, p := range page.AttachedPolicies {
			attached = append(attached, aws.ToString(p.PolicyArn))
		}
		if !page.IsTruncated || aws.ToString(page.Marker) == "" || n >= maxPages {
			break
		}
		marker = page.Marker
	}
	for _, arn := range attached {
		pol, err := client.GetPolicy(ctx, &iam.GetPolicyInput{PolicyArn: aws.String(arn)})
		if err != nil {
			failed(err, "iam:GetPolicy")
			continue
		}
		if pol.Policy == nil {
			continue
		}
		ver, err := client.GetPolicyVersion(ctx, &iam.GetPolicyVersionInput{PolicyArn: aws.String(arn), VersionId: pol.Policy.DefaultVersionId})
		if err != nil {
			failed(err, "iam:GetPolicyVersion")
			continue
		}
		doc := ""
		if ver.PolicyVersion != nil {
			doc = decodeDocument(aws.ToString(ver.PolicyVersion.Document))
		}
		out = append(out, model.Policy{Name: aws.ToString(pol.Policy.PolicyName), ARN: arn, Document: doc})
	}
	marker = nil
	var inline []string
	for n := 0; ; n++ {
		page, err := client.ListRolePolicies(ctx, &iam.ListRolePoliciesInput{RoleName: aws.String(role), Marker: marker})
		if err != nil {
			failed(err, "iam:ListRolePolicies")
			break
		}
		inline = append(inline, page.PolicyNames...)
		if !page.IsTruncated || aws.ToString(page.Marker) == "" || n >= maxPages {
			break
		}
		marker = page.Marker
	}
	for _, name := range inline {
		p, err := client.GetRolePolicy(ctx, &iam.GetRolePolicyInput{RoleName: aws.String(role), PolicyName: aws.String(name)})
		if err != nil {
			failed(err, "iam:GetRolePolicy")
			continue
		}
		out = append(out, model.Policy{Name: name, Inline: true, Document: decodeDocument(aws.ToString(p.PolicyDocument))})
	}
	return out, errs, ops
}

// decodeDocument undoes the URL encoding IAM applies to policy documents (RFC 3986); a document
// that does not decode is kept as it is, for the evaluation to report.
func decodeDocument(doc string) string {
	if strings.HasPrefix(strings.TrimSpace(doc), "{") {
		return doc // already JSON (some doubles answer it so)
	}
	if d, err := url.PathUnescape(doc); err == nil {
		return d
	}
	return doc
}

// loadBalancers reads the region's load balancers, keeps those tagged for one of the clusters,
// and reads their listeners.
func (c *Collector) loadBalancers(ctx context.Context, acct Account, region string, clusters []*model.Cluster) {
	byName := map[string]*model.Cluster{}
	for _, cl := range clusters {
		byName[cl.Name] = cl
	}
	tagCluster := func(k, v string) *model.Cluster {
		if k == tagLBCluster {
			return byName[v]
		}
		if name, ok := strings.CutPrefix(k, tagK8sCluster); ok {
			return byName[name]
		}
		return nil
	}
	v2 := c.Clients.ELBv2(acct.Creds, region)
	var lbs []elbv2types.LoadBalancer
	var marker *string
	for n := 0; ; n++ {
		page, err := v2.DescribeLoadBalancers(ctx, &elasticloadbalancingv2.DescribeLoadBalancersInput{Marker: marker})
		if err != nil {
			fail(err, "elasticloadbalancing:DescribeLoadBalancers", clusters...)
			return
		}
		lbs = append(lbs, page.LoadBalancers...)
		if aws.ToString(page.NextMarker) == "" || n >= maxPages {
			break
		}
		marker = page.NextMarker
	}
	byARN := make(map[string]elbv2types.LoadBalancer, len(lbs))
	for _, lb := range lbs {
		byARN[aws.ToString(lb.LoadBalancerArn)] = lb
	}
	for start := 0; start < len(lbs); start += 20 {
		var arns []string
		for _, lb := range lbs[start:min(start+20, len(lbs))] {
			arns = append(arns, aws.ToString(lb.LoadBalancerArn))
		}
		tags, err := v2.DescribeTags(ctx, &elasticloadbalancingv2.DescribeTagsInput{ResourceArns: arns})
		if err != nil {
			fail(err, "elasticloadbalancing:DescribeTags", clusters...)
			return
		}
		for _, td := range tags.TagDescriptions {
			var cl *model.Cluster
			for _, t := range td.Tags {
				if cl = tagCluster(aws.ToString(t.Key), aws.ToString(t.Value)); cl != nil {
					break
				}
			}
			if cl == nil {
				continue
			}
			arn := aws.ToString(td.ResourceArn)
			lb, ok := byARN[arn]
			if !ok {
				continue
			}
			m := model.LoadBalancer{Name: aws.ToString(lb.LoadBalancerName), ARN: arn, Type: string(lb.Type), Scheme: string(lb.Scheme), Listeners: []model.Listener{}}
			ls, err := listeners(ctx, v2, arn)
			if err != nil {
				fail(err, "elasticloadbalancing:DescribeListeners", cl)
				continue
			}
			m.Listeners = ls
			cl.LoadBalancers = append(cl.LoadBalancers, m)
		}
	}
	c.classicLoadBalancers(ctx, acct, region, clusters, tagCluster)
}

func listeners(ctx context.Context, v2 *elasticloadbalancingv2.Client, arn string) ([]model.Listener, error) {
	var out []model.Listener
	var marker *string
	for n := 0; ; n++ {
		page, err := v2.DescribeListeners(ctx, &elasticloadbalancingv2.DescribeListenersInput{LoadBalancerArn: aws.String(arn), Marker: marker})
		if err != nil {
			return nil, err
		}
		for _, l := range page.Listeners {
			m := model.Listener{ARN: aws.ToString(l.ListenerArn), Port: aws.ToInt32(l.Port), Protocol: string(l.Protocol)}
			for _, cert := range l.Certificates {
				m.Certificates = append(m.Certificates, aws.ToString(cert.CertificateArn))
			}
			if len(l.DefaultActions) > 0 {
				a := l.DefaultActions[0]
				m.DefaultAction = string(a.Type)
				m.RedirectsToHTTPS = a.Type == elbv2types.ActionTypeEnumRedirect && a.RedirectConfig != nil &&
					strings.EqualFold(aws.ToString(a.RedirectConfig.Protocol), "HTTPS")
			}
			out = append(out, m)
		}
		if aws.ToString(page.NextMarker) == "" || n >= maxPages {
			return out, nil
		}
		marker = page.NextMarker
	}
}

// classicLoadBalancers reads the classic load balancers tagged for the clusters: the in-tree
// cloud provider still makes them for Services of type LoadBalancer without annotations.
func (c *Collector) classicLoadBalancers(ctx context.Context, acct Account, region string, clusters []*model.Cluster, tagCluster func(k, v string) *model.Cluster) {
	client := c.Clients.ELB(acct.Creds, region)
	var all []string
	descs := map[string]model.LoadBalancer{}
	var marker *string
	for n := 0; ; n++ {
		page, err := client.DescribeLoadBalancers(ctx, &elasticloadbalancing.DescribeLoadBalancersInput{Marker: marker})
		if err != nil {
			fail(err, "elasticloadbalancing:DescribeLoadBalancers", clusters...)
			return
		}
		for _, d := range page.LoadBalancerDescriptions {
			name := aws.ToString(d.LoadBalancerName)
			m := model.LoadBalancer{Name: name, Type: "classic", Scheme: aws.ToString(d.Scheme), Listeners: []model.Listener{}}
			for _, ld := range d.ListenerDescriptions {
				if ld.Listener == nil {
					continue
				}
				l := model.Listener{Port: ld.Listener.LoadBalancerPort, Protocol: aws.ToString(ld.Listener.Protocol)}
				if cert := aws.ToString(ld.Listener.SSLCertificateId); cert != "" {
					l.Certificates = []string{cert}
				}
				m.Listeners = append(m.Listeners, l)
			}
			descs[name] = m
			all = append(all, name)
		}
		if aws.ToString(page.NextMarker) == "" || n >= maxPages {
			break
		}
		marker = page.NextMarker
	}
	for start := 0; start < len(all); start += 20 {
		tags, err := client.DescribeTags(ctx, &elasticloadbalancing.DescribeTagsInput{LoadBalancerNames: all[start:min(start+20, len(all))]})
		if err != nil {
			fail(err, "elasticloadbalancing:DescribeTags", clusters...)
			return
		}
		for _, td := range tags.TagDescriptions {
			for _, t := range td.Tags {
				if cl := tagCluster(aws.ToString(t.Key), aws.ToString(t.Value)); cl != nil {
					cl.LoadBalancers = append(cl.LoadBalancers, descs[aws.ToString(td.LoadBalancerName)])
					break
				}
			}
		}
	}
}

// registry reads the pair's ECR registry: its scanning configuration and every repository.
func (c *Collector) registry(ctx context.Context, acct Account, region string) *model.Registry {
	reg := &model.Registry{Account: acct.ID, Region: region, Source: model.SourceAWS, Rules: []model.ScanRule{}, Repositories: []model.Repository{}}
	client := c.Clients.ECR(acct.Creds, region)
	failed := func(err error, op string) {
		e := Classify(err, op)
		e.Account, e.Region = acct.ID, region
		reg.Errors = append(reg.Errors, e)
	}
	cfg, err := client.GetRegistryScanningConfiguration(ctx, &ecr.GetRegistryScanningConfigurationInput{})
	switch {
	case err != nil:
		failed(err, "ecr:GetRegistryScanningConfiguration")
	case cfg.ScanningConfiguration == nil:
		reg.ScanType = model.DefaultString("BASIC", "the registry has no scanning configuration: basic scanning, no rules")
	default:
		sc := cfg.ScanningConfiguration
		reg.ScanType = model.ExplicitString(string(sc.ScanType))
		if sc.ScanType == "" {
			reg.ScanType = model.DefaultString("BASIC", "no scan type in the response: basic scanning")
		}
		for _, r := range sc.Rules {
			rule := model.ScanRule{Frequency: string(r.ScanFrequency), Filters: []string{}}
			for _, f := range r.RepositoryFilters {
				rule.Filters = append(rule.Filters, aws.ToString(f.Filter))
			}
			reg.Rules = append(reg.Rules, rule)
		}
	}
	p := newPages("DescribeRepositories")
	for more := true; more; {
		page, err := client.DescribeRepositories(ctx, &ecr.DescribeRepositoriesInput{NextToken: p.token, MaxResults: aws.Int32(1000)})
		if err != nil {
			failed(err, "ecr:DescribeRepositories")
			break
		}
		for _, r := range page.Repositories {
			repo := model.Repository{Name: aws.ToString(r.RepositoryName), ARN: aws.ToString(r.RepositoryArn), ScanOnPush: model.Explicit(false)}
			if r.ImageScanningConfiguration != nil {
				repo.ScanOnPush = model.Explicit(r.ImageScanningConfiguration.ScanOnPush)
			}
			reg.Repositories = append(reg.Repositories, repo)
		}
		if more, err = p.next(page.NextToken); err != nil {
			failed(err, "ecr:DescribeRepositories")
			break
		}
	}
	sort.Slice(reg.Repositories, func(i, j int) bool { return reg.Repositories[i].Name < reg.Repositories[j].Name })
	return reg
}
