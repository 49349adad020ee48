package emulator

import (
	"math"
	"net/netip"
	"reflect"
	"regexp"
	"slices"
	"strings"
)

// Enumerations from the EKS and Organizations models (aws-sdk-go-v2 types).
var (
	clusterStatuses = []string{"CREATING", "ACTIVE", "DELETING", "FAILED", "UPDATING", "PENDING"}
	updateStatuses  = []string{"InProgress", "Failed", "Cancelled", "Successful"}
	updateTypes     = []string{"VersionUpdate", "EndpointAccessUpdate", "LoggingUpdate", "ConfigUpdate",
		"AssociateIdentityProviderConfig", "DisassociateIdentityProviderConfig", "AssociateEncryptionConfig",
		"AddonUpdate", "VpcConfigUpdate", "AccessConfigUpdate", "UpgradePolicyUpdate", "ZonalShiftConfigUpdate",
		"AutoModeUpdate", "RemoteNetworkConfigUpdate", "DeletionProtectionUpdate", "CapabilityUpdate",
		"ControlPlaneScalingConfigUpdate", "VendedLogsUpdate", "ControlPlaneEgressUpdate", "VersionRollback",
		"ControlPlaneComponentConfigUpdate", "CertificateAuthorityUpdate"}
	accountStatuses     = []string{"ACTIVE", "SUSPENDED", "PENDING_CLOSURE"}
	authModes           = []string{"CONFIG_MAP", "API_AND_CONFIG_MAP", "API"} // in the only order allowed (TD-18)
	supportTypes        = []string{"STANDARD", "EXTENDED"}
	ipFamilies          = []string{"ipv4", "ipv6"}
	logTypes            = []string{"api", "audit", "authenticator", "controllerManager", "scheduler"}
	egressModes         = []string{"AWS_MANAGED", "CUSTOMER_ROUTED", "CUSTOMER_ISOLATED"}
	scalingTiers        = []string{"standard", "tier-xl", "tier-2xl", "tier-4xl", "tier-8xl"}
	throttleCodes       = []string{"", "ThrottlingException", "TooManyRequestsException"}
	tokenMismatchModes  = []string{"", "error", "new"}
	listUpdatesOrders   = []string{"", "newest-first", "oldest-first"}
	accountIDRE         = regexp.MustCompile(`^[0-9]{12}$`)
	regionNameRE        = regexp.MustCompile(`^[a-z]{2}(-gov|-iso[a-z]*)?-[a-z]+-[0-9]+$`)
	clusterNameRE       = regexp.MustCompile(`^[0-9A-Za-z][A-Za-z0-9_-]{0,99}$`)
	versionRE           = regexp.MustCompile(`^[0-9]+\.[0-9]+$`)
	roleNameRE          = regexp.MustCompile(`^[\w+=,.@-]{1,64}$`)
	ipProtocolRE        = regexp.MustCompile(`^(-1|tcp|udp|icmp|icmpv6|all|[0-9]{1,3})$`)
	maxGeneratedCluster = 500_000
)

type validator struct {
	loc locator
	e   *FleetError
}

func (v *validator) bad(path []any, format string, args ...any) {
	file, line := v.loc.at(path)
	v.e.add(file, line, format, args...)
}

// at builds a child path without aliasing the parent's backing array.
func at(base []any, more ...any) []any { return slices.Concat(base, more) }

func (v *validator) enum(path []any, what, got string, allowed []string) {
	if got != "" && !slices.Contains(allowed, got) {
		v.bad(path, "unknown %s %q (want one of %s)", what, got, strings.Join(nonEmpty(allowed), ", "))
	}
}

func nonEmpty(list []string) []string {
	return slices.DeleteFunc(slices.Clone(list), func(s string) bool { return s == "" })
}

func (v *validator) prefix(path []any, what, s string, wantV6 bool) {
	p, err := netip.ParsePrefix(s)
	switch {
	case err != nil:
		v.bad(path, "malformed %s %q", what, s)
	case wantV6 && !p.Addr().Is6(), !wantV6 && !p.Addr().Is4():
		v.bad(path, "%s %q has the wrong address family", what, s)
	}
}

func (v *validator) anyPrefix(path []any, what, s string) {
	if _, err := netip.ParsePrefix(s); err != nil {
		v.bad(path, "malformed %s %q", what, s)
	}
}

func (v *validator) id(path []any, what, s, prefix string) {
	if s != "" && !strings.HasPrefix(s, prefix) {
		v.bad(path, "%s %q must start with %q", what, s, prefix)
	}
}

func validateFleet(f *Fleet, loc locator, e *FleetError) {
	v := &validator{loc: loc, e: e}
	v.behaviour(f.Behaviour, []any{"behaviour"})
	if g := f.Generate; g != nil {
		v.generate(g, []any{"generate"})
	}
	if len(f.Accounts) == 0 && (f.Generate == nil || f.Generate.Accounts == 0) {
		v.bad(nil, "fleet has no accounts")
	}
	seen := map[string]int{}
	for i := range f.Accounts {
		a := &f.Accounts[i]
		path := []any{"accounts", i}
		if !accountIDRE.MatchString(a.ID) {
			v.bad(at(path, "id"), "account id %q must be 12 digits", a.ID)
		} else if j, dup := seen[a.ID]; dup {
			v.bad(at(path, "id"), "duplicate account id %q (also accounts[%d])", a.ID, j)
		} else {
			seen[a.ID] = i
		}
		v.account(a, path)
	}
}

func (v *validator) behaviour(b Behaviour, path []any) {
	finite := true
	for _, r := range []struct {
		name string
		rate float64
	}{{"serverErrorRate", b.ServerErrorRate}, {"serviceUnavailableRate", b.ServiceUnavailableRate}, {"connectionResetRate", b.ConnectionResetRate}} {
		switch {
		case math.IsNaN(r.rate) || math.IsInf(r.rate, 0):
			// NaN passes every comparison below, and would silently turn faults off.
			v.bad(at(path, r.name), "%s must be a finite number, not %v", r.name, r.rate)
			finite = false
		case r.rate < 0 || r.rate > 1:
			v.bad(at(path, r.name), "%s %v out of range 0..1", r.name, r.rate)
		}
	}
	if finite && b.ServerErrorRate+b.ServiceUnavailableRate+b.ConnectionResetRate > 1 {
		v.bad(path, "serverErrorRate + serviceUnavailableRate + connectionResetRate exceed 1")
	}
	if math.IsNaN(b.Throttle.Rate) || math.IsInf(b.Throttle.Rate, 0) {
		v.bad(at(path, "throttle", "rate"), "throttle rate must be a finite number, not %v", b.Throttle.Rate)
	}
	if b.Latency < 0 {
		v.bad(at(path, "latency"), "latency must not be negative")
	}
	if b.UpdateDuration < 0 {
		v.bad(at(path, "updateDuration"), "updateDuration must not be negative")
	}
	if b.StatusLag < 0 {
		v.bad(at(path, "statusLag"), "statusLag must not be negative")
	}
	if b.Throttle.Rate < 0 || b.Throttle.Burst < 0 || b.Throttle.RetryAfter < 0 {
		v.bad(at(path, "throttle"), "throttle rate, burst and retryAfter must not be negative")
	}
	v.enum(at(path, "throttle", "code"), "throttle code", b.Throttle.Code, throttleCodes)
	v.enum(at(path, "tokenMismatch"), "tokenMismatch", b.TokenMismatch, tokenMismatchModes)
	v.enum(at(path, "listUpdatesOrder"), "listUpdatesOrder", b.ListUpdatesOrder, listUpdatesOrders)
	if b.OrganizationEmptyPages < 0 {
		v.bad(at(path, "organizationEmptyPages"), "organizationEmptyPages must not be negative")
	}
	if b.OrgPageSize < 0 || b.OrgPageSize > 20 {
		v.bad(at(path, "orgPageSize"), "orgPageSize %d out of range 0..20", b.OrgPageSize)
	}
	for i, c := range b.ReservedCidrs {
		v.anyPrefix(at(path, "reservedCidrs", i), "CIDR", c)
	}
	for i, name := range b.FailUpdates {
		if !clusterNameRE.MatchString(name) {
			v.bad(at(path, "failUpdates", i), "invalid cluster name %q", name)
		}
	}
}

func (v *validator) generate(g *Generate, path []any) {
	if g.Accounts < 0 || g.Accounts > 10_000 {
		v.bad(at(path, "accounts"), "generate.accounts %d out of range 0..10000", g.Accounts)
	}
	if g.ClustersPerRegion < 0 || g.ClustersPerRegion > 10_000 {
		v.bad(at(path, "clustersPerRegion"), "generate.clustersPerRegion %d out of range 0..10000", g.ClustersPerRegion)
	}
	if g.Accounts > 0 && len(g.Regions) == 0 {
		v.bad(path, "generate needs regions (a count or a list of names)")
	}
	for i, r := range g.Regions {
		if !regionNameRE.MatchString(r) {
			v.bad(at(path, "regions", i), "invalid region name %q", r)
		}
	}
	if total := g.Accounts * len(g.Regions) * g.ClustersPerRegion; total > maxGeneratedCluster {
		v.bad(path, "generate would create %d clusters (limit %d)", total, maxGeneratedCluster)
	}
	for _, k := range []struct {
		key      string
		val, max int
	}{{"nodegroupsPerCluster", g.NodegroupsPerCluster, 10}, {"repositoriesPerRegion", g.RepositoriesPerRegion, 1000}, {"loadBalancersPerCluster", g.LoadBalancersPerCluster, 10}} {
		if k.val < 0 || k.val > k.max {
			v.bad(at(path, k.key), "generate.%s %d out of range 0..%d", k.key, k.val, k.max)
		}
	}
	clusters := g.Accounts * len(g.Regions) * g.ClustersPerRegion
	for _, k := range []struct {
		what  string
		total int
	}{{"node groups", clusters * g.NodegroupsPerCluster}, {"load balancers", clusters * g.LoadBalancersPerCluster}, {"repositories", g.Accounts * len(g.Regions) * g.RepositoriesPerRegion}} {
		if k.total > maxGeneratedCluster {
			v.bad(path, "generate would create %d %s (limit %d)", k.total, k.what, maxGeneratedCluster)
		}
	}
}

func (v *validator) account(a *Account, path []any) {
	v.enum(at(path, "status"), "account status", a.Status, accountStatuses)
	for i, r := range a.Roles {
		if !roleNameRE.MatchString(r) {
			v.bad(at(path, "roles", i), "invalid role name %q", r)
		}
	}
	seen := map[string]bool{}
	for i := range a.Regions {
		r := &a.Regions[i]
		rp := at(path, "regions", i)
		switch {
		case !regionNameRE.MatchString(r.Name):
			v.bad(at(rp, "name"), "invalid region name %q", r.Name)
		case seen[r.Name]:
			v.bad(at(rp, "name"), "duplicate region %q in account %s", r.Name, a.ID)
		}
		seen[r.Name] = true
		v.region(r, rp)
	}
	v.denyActions(a.DenyActions, at(path, "denyActions"), true)
	if a.IAM != nil {
		v.iam(a.ID, a.IAM, at(path, "iam"))
	}
}

func (v *validator) region(r *Region, path []any) {
	vpcs := map[string]bool{}
	for i, x := range r.Vpcs {
		p := at(path, "vpcs", i)
		switch {
		case x.VpcID == "":
			v.bad(p, "vpc needs a vpcId")
		case vpcs[x.VpcID]:
			v.bad(at(p, "vpcId"), "duplicate vpcId %q", x.VpcID)
		}
		vpcs[x.VpcID] = true
		v.id(at(p, "vpcId"), "vpcId", x.VpcID, "vpc-")
		v.id(at(p, "dhcpOptionsId"), "dhcpOptionsId", x.DhcpOptionsID, "dopt-")
		if x.CidrBlock != "" {
			v.prefix(at(p, "cidrBlock"), "cidrBlock", x.CidrBlock, false)
		}
	}
	dopts := map[string]bool{}
	for i, d := range r.DhcpOptions {
		p := at(path, "dhcpOptions", i)
		switch {
		case d.DhcpOptionsID == "":
			v.bad(p, "dhcpOptions needs a dhcpOptionsId")
		case dopts[d.DhcpOptionsID]:
			v.bad(at(p, "dhcpOptionsId"), "duplicate dhcpOptionsId %q", d.DhcpOptionsID)
		}
		dopts[d.DhcpOptionsID] = true
		v.id(at(p, "dhcpOptionsId"), "dhcpOptionsId", d.DhcpOptionsID, "dopt-")
	}
	sgs := map[string]bool{}
	for i, g := range r.SecurityGroups {
		p := at(path, "securityGroups", i)
		switch {
		case g.GroupID == "":
			v.bad(p, "security group needs a groupId")
		case sgs[g.GroupID]:
			v.bad(at(p, "groupId"), "duplicate groupId %q", g.GroupID)
		}
		sgs[g.GroupID] = true
		v.id(at(p, "groupId"), "groupId", g.GroupID, "sg-")
		v.id(at(p, "vpcId"), "vpcId", g.VpcID, "vpc-")
		v.permissions(g.IPPermissions, at(p, "ipPermissions"))
		v.permissions(g.IPPermissionsEgress, at(p, "ipPermissionsEgress"))
	}
	names := map[string]bool{}
	for i := range r.Clusters {
		c := &r.Clusters[i]
		p := at(path, "clusters", i)
		switch {
		case !clusterNameRE.MatchString(c.Name):
			v.bad(at(p, "name"), "invalid cluster name %q", c.Name)
		case names[c.Name]:
			v.bad(at(p, "name"), "duplicate cluster %q in region %s", c.Name, r.Name)
		}
		names[c.Name] = true
		v.cluster(c, p)
	}
	v.regionResources(r, path)
}

func (v *validator) permissions(perms []IPPermission, path []any) {
	for i, perm := range perms {
		p := at(path, i)
		if !ipProtocolRE.MatchString(perm.IPProtocol) {
			v.bad(at(p, "ipProtocol"), "invalid ipProtocol %q", perm.IPProtocol)
		}
		for _, port := range []*int32{perm.FromPort, perm.ToPort} {
			if port != nil && (*port < -1 || *port > 65535) {
				v.bad(p, "port %d out of range", *port)
			}
		}
		for j, r := range perm.IPRanges {
			v.prefix(at(p, "ipRanges", j, "cidrIp"), "cidrIp", r.CidrIP, false)
		}
		for j, r := range perm.IPv6Ranges {
			v.prefix(at(p, "ipv6Ranges", j, "cidrIpv6"), "cidrIpv6", r.CidrIPv6, true)
		}
		for j, g := range perm.UserIDGroupPairs {
			if !strings.HasPrefix(g.GroupID, "sg-") {
				v.bad(at(p, "userIdGroupPairs", j, "groupId"), "groupId %q must start with \"sg-\"", g.GroupID)
			}
		}
	}
}

func (v *validator) cluster(c *Cluster, path []any) {
	v.enum(at(path, "status"), "cluster status", c.Status, clusterStatuses)
	if c.Version != "" && !versionRE.MatchString(c.Version) {
		v.bad(at(path, "version"), "invalid version %q (want like \"1.31\")", c.Version)
	}
	if vc := c.ResourcesVpcConfig; vc != nil {
		p := at(path, "resourcesVpcConfig")
		for i, cidr := range vc.PublicAccessCidrs {
			v.anyPrefix(at(p, "publicAccessCidrs", i), "CIDR", cidr)
		}
		for i, s := range vc.SubnetIDs {
			v.id(at(p, "subnetIds", i), "subnet id", s, "subnet-")
		}
		for i, s := range vc.SecurityGroupIDs {
			v.id(at(p, "securityGroupIds", i), "security group id", s, "sg-")
		}
		v.id(at(p, "clusterSecurityGroupId"), "clusterSecurityGroupId", vc.ClusterSecurityGroupID, "sg-")
		v.id(at(p, "vpcId"), "vpcId", vc.VpcID, "vpc-")
		v.enum(at(p, "controlPlaneEgressMode"), "controlPlaneEgressMode", vc.ControlPlaneEgressMode, egressModes)
	}
	if k := c.KubernetesNetworkConfig; k != nil {
		p := at(path, "kubernetesNetworkConfig")
		v.enum(at(p, "ipFamily"), "ipFamily", k.IPFamily, ipFamilies)
		if k.ServiceIpv4Cidr != "" {
			v.prefix(at(p, "serviceIpv4Cidr"), "serviceIpv4Cidr", k.ServiceIpv4Cidr, false)
		}
		if k.ServiceIpv6Cidr != "" {
			v.prefix(at(p, "serviceIpv6Cidr"), "serviceIpv6Cidr", k.ServiceIpv6Cidr, true)
		}
	}
	if l := c.Logging; l != nil {
		state := map[string]bool{}
		for i, s := range l.ClusterLogging {
			p := at(path, "logging", "clusterLogging", i)
			if s.Enabled == nil {
				v.bad(p, "logging entry needs enabled: true or false")
			}
			for j, t := range s.Types {
				tp := at(p, "types", j)
				if t == "" {
					v.bad(tp, "empty log type (want one of %s)", strings.Join(logTypes, ", "))
					continue
				}
				v.enum(tp, "log type", t, logTypes)
				if s.Enabled == nil {
					continue
				}
				if on, seen := state[t]; seen && on != *s.Enabled {
					v.bad(tp, "log type %q is both enabled and disabled; EKS lists each type once", t)
				}
				state[t] = *s.Enabled
			}
		}
	}
	if a := c.AccessConfig; a != nil {
		v.enum(at(path, "accessConfig", "authenticationMode"), "authenticationMode", a.AuthenticationMode, authModes)
	}
	for i, e := range c.EncryptionConfig {
		p := at(path, "encryptionConfig", i)
		if e.Provider == nil || e.Provider.KeyArn == "" {
			// Leave keyArn out with omitFields to serve what EKS never does.
			v.bad(p, "encryptionConfig entry needs provider.keyArn, the KMS key that encrypts secrets")
		}
		if len(e.Resources) == 0 {
			v.bad(p, "encryptionConfig entry needs resources: [secrets]")
		}
		for j, r := range e.Resources {
			if r != "secrets" {
				v.bad(at(p, "resources", j), "unknown encryptionConfig resource %q (EKS encrypts secrets only)", r)
			}
		}
	}
	if u := c.UpgradePolicy; u != nil {
		v.enum(at(path, "upgradePolicy", "supportType"), "supportType", u.SupportType, supportTypes)
	}
	if s := c.ControlPlaneScalingConfig; s != nil {
		v.enum(at(path, "controlPlaneScalingConfig", "tier"), "tier", s.Tier, scalingTiers)
	}
	if r := c.RemoteNetworkConfig; r != nil {
		for _, list := range []struct {
			key  string
			nets []RemoteNetwork
		}{{"remoteNodeNetworks", r.RemoteNodeNetworks}, {"remotePodNetworks", r.RemotePodNetworks}} {
			for i, n := range list.nets {
				for j, cidr := range n.Cidrs {
					v.prefix(at(path, "remoteNetworkConfig", list.key, i, "cidrs", j), "CIDR", cidr, false)
				}
			}
		}
	}
	members := clusterJSONMembers()
	for i, f := range c.OmitFields {
		top, _, _ := strings.Cut(f, ".")
		if !members[top] {
			v.bad(at(path, "omitFields", i), "omitFields entry %q is not a DescribeCluster member", f)
		}
	}
	if c.InvisibleFor < 0 {
		v.bad(at(path, "invisibleFor"), "invisibleFor must not be negative")
	}
	ids := map[string]bool{}
	running := 0
	for i, u := range c.Updates {
		p := at(path, "updates", i)
		if u.Type == "" {
			v.bad(p, "update needs a type")
		}
		v.enum(at(p, "type"), "update type", u.Type, updateTypes)
		v.enum(at(p, "status"), "update status", u.Status, updateStatuses)
		if u.Status == "" || u.Status == "InProgress" {
			running++
			if running == 2 {
				v.bad(p, "cluster %q has more than one InProgress update; EKS runs one at a time", c.Name)
			}
		}
		if u.ID != "" && ids[u.ID] {
			v.bad(at(p, "id"), "duplicate update id %q", u.ID)
		}
		ids[u.ID] = true
		if u.EndsAfter < 0 {
			v.bad(at(p, "endsAfter"), "endsAfter must not be negative")
		}
	}
	v.clusterParts(c, path)
}

// clusterJSONMembers is the set of top-level DescribeCluster member names.
func clusterJSONMembers() map[string]bool {
	t := reflect.TypeFor[Cluster]()
	m := map[string]bool{"createdAt": true}
	for i := 0; i < t.NumField(); i++ {
		name, _, _ := strings.Cut(t.Field(i).Tag.Get("json"), ",")
		if name != "" && name != "-" {
			m[name] = true
		}
	}
	return m
}
