package emulator

import (
	"net/netip"
	"regexp"
	"slices"
	"strings"
)

// Enumerations and patterns of the node, registry and load balancer
// resources (aws-sdk-go-v2 eks, ec2, ecr and elasticloadbalancingv2 types).
var (
	nodegroupStatuses = []string{"CREATING", "ACTIVE", "UPDATING", "DELETING", "CREATE_FAILED", "DELETE_FAILED", "DEGRADED"}
	capacityTypes     = []string{"ON_DEMAND", "SPOT", "CAPACITY_BLOCK"}
	amiTypes          = []string{"AL2_x86_64", "AL2_x86_64_GPU", "AL2_ARM_64", "CUSTOM", "BOTTLEROCKET_ARM_64", "BOTTLEROCKET_x86_64",
		"BOTTLEROCKET_ARM_64_FIPS", "BOTTLEROCKET_x86_64_FIPS", "BOTTLEROCKET_ARM_64_NVIDIA", "BOTTLEROCKET_x86_64_NVIDIA",
		"BOTTLEROCKET_ARM_64_NVIDIA_FIPS", "BOTTLEROCKET_x86_64_NVIDIA_FIPS", "WINDOWS_CORE_2019_x86_64", "WINDOWS_FULL_2019_x86_64",
		"WINDOWS_CORE_2022_x86_64", "WINDOWS_FULL_2022_x86_64", "WINDOWS_CORE_2025_x86_64", "WINDOWS_FULL_2025_x86_64",
		"AL2023_x86_64_STANDARD", "AL2023_ARM_64_STANDARD", "AL2023_x86_64_NEURON", "AL2023_x86_64_NVIDIA", "AL2023_ARM_64_NVIDIA"}
	addonStatuses       = []string{"CREATING", "ACTIVE", "CREATE_FAILED", "UPDATING", "DELETING", "DELETE_FAILED", "DEGRADED", "UPDATE_FAILED"}
	accessEntryTypes    = []string{"STANDARD", "EC2_LINUX", "EC2_WINDOWS", "FARGATE_LINUX", "HYBRID_LINUX"}
	instanceStates      = []string{"pending", "running", "stopping", "stopped", "shutting-down", "terminated"}
	tagMutabilities     = []string{"MUTABLE", "IMMUTABLE", "IMMUTABLE_WITH_EXCLUSION", "MUTABLE_WITH_EXCLUSION"}
	encryptionTypes     = []string{"AES256", "KMS", "KMS_DSSE"}
	scanTypes           = []string{"BASIC", "ENHANCED"}
	basicFrequencies    = []string{"SCAN_ON_PUSH", "MANUAL"}
	enhancedFrequencies = []string{"SCAN_ON_PUSH", "CONTINUOUS_SCAN"}
	filterTypes         = []string{"WILDCARD"}
	lbTypes             = []string{"application", "network", "gateway", "classic"}
	lbSchemes           = []string{"internet-facing", "internal"}
	lbProtocols         = map[string][]string{
		"application": {"HTTP", "HTTPS"},
		"network":     {"TCP", "TLS", "UDP", "TCP_UDP", "QUIC", "TCP_QUIC"},
		"gateway":     {"GENEVE"},
		"classic":     {"HTTP", "HTTPS", "TCP", "SSL"},
	}
	actionTypes         = []string{"forward", "authenticate-oidc", "authenticate-cognito", "redirect", "fixed-response", "jwt-validation"}
	redirectCodes       = []string{"HTTP_301", "HTTP_302"}
	nodegroupNameRE     = regexp.MustCompile(`^[0-9A-Za-z][A-Za-z0-9_-]{0,62}$`)
	addonNameRE         = regexp.MustCompile(`^[0-9A-Za-z][A-Za-z0-9_.-]{0,99}$`)
	repositoryNameRE    = regexp.MustCompile(`^(?:[a-z0-9]+(?:[._-][a-z0-9]+)*/)*[a-z0-9]+(?:[._-][a-z0-9]+)*$`)
	lbNameRE            = regexp.MustCompile(`^[A-Za-z0-9](?:[A-Za-z0-9-]{0,30}[A-Za-z0-9])?$`)
	iamNameRE           = regexp.MustCompile(`^[\w+=,.@-]{1,128}$`)
	gatewayTargetPrefix = []string{"igw-", "vgw-", "local"}
)

// unique reports a missing or repeated name in a list.
func (v *validator) unique(seen map[string]bool, path []any, what, name string) {
	switch {
	case name == "":
		v.bad(path, "%s needs a name", what)
	case seen[name]:
		v.bad(path, "duplicate %s %q", what, name)
	}
	seen[name] = true
}

func (v *validator) denyActions(actions []string, path []any, iamOK bool) {
	for i, a := range actions {
		if ok, why := knownAction(a, iamOK); !ok {
			v.bad(at(path, i), "denyActions entry %q %s", a, why)
		}
	}
}

// clusterParts checks a cluster's node groups, add-ons and access entries.
func (v *validator) clusterParts(c *Cluster, path []any) {
	seen := map[string]bool{}
	for i, ng := range c.Nodegroups {
		p := at(path, "nodegroups", i)
		if ng.NodegroupName != "" && !nodegroupNameRE.MatchString(ng.NodegroupName) {
			v.bad(at(p, "nodegroupName"), "invalid nodegroupName %q", ng.NodegroupName)
		}
		v.unique(seen, at(p, "nodegroupName"), "nodegroupName", ng.NodegroupName)
		if ng.NodeRole != "" && !roleArnRE.MatchString(ng.NodeRole) {
			v.bad(at(p, "nodeRole"), "nodeRole %q is not an IAM role ARN", ng.NodeRole)
		}
		for j, s := range ng.Subnets {
			v.id(at(p, "subnets", j), "subnet id", s, "subnet-")
		}
		if ng.Subnets != nil && len(ng.Subnets) == 0 {
			v.bad(at(p, "subnets"), "a node group needs at least one subnet")
		}
		if ra := ng.RemoteAccess; ra != nil {
			if ra.Ec2SSHKey == "" {
				v.bad(at(p, "remoteAccess"), "remoteAccess needs an ec2SshKey")
			}
			for j, g := range ra.SourceSecurityGroups {
				v.id(at(p, "remoteAccess", "sourceSecurityGroups", j), "security group id", g, "sg-")
			}
		}
		v.enum(at(p, "status"), "node group status", ng.Status, nodegroupStatuses)
		v.enum(at(p, "capacityType"), "capacityType", ng.CapacityType, capacityTypes)
		v.enum(at(p, "amiType"), "amiType", ng.AmiType, amiTypes)
		if ng.Version != "" && !versionRE.MatchString(ng.Version) {
			v.bad(at(p, "version"), "invalid version %q (want like \"1.31\")", ng.Version)
		}
		if sc := ng.ScalingConfig; sc != nil {
			minSize, maxSize, desired := int32(1), int32(2), int32(2)
			for _, f := range []struct {
				p   *int32
				dst *int32
			}{{sc.MinSize, &minSize}, {sc.MaxSize, &maxSize}, {sc.DesiredSize, &desired}} {
				if f.p != nil {
					*f.dst = *f.p
				}
			}
			switch {
			case minSize < 0 || desired < 0:
				v.bad(at(p, "scalingConfig"), "scalingConfig sizes must not be negative")
			case maxSize < 1:
				v.bad(at(p, "scalingConfig"), "scalingConfig maxSize must be at least 1")
			case minSize > desired || desired > maxSize:
				v.bad(at(p, "scalingConfig"), "scalingConfig needs minSize <= desiredSize <= maxSize (got %d, %d, %d)", minSize, desired, maxSize)
			}
		}
	}
	seen = map[string]bool{}
	for i, a := range c.Addons {
		p := at(path, "addons", i)
		if a.AddonName != "" && !addonNameRE.MatchString(a.AddonName) {
			v.bad(at(p, "addonName"), "invalid addonName %q", a.AddonName)
		}
		v.unique(seen, at(p, "addonName"), "addonName", a.AddonName)
		v.enum(at(p, "status"), "add-on status", a.Status, addonStatuses)
		if a.ServiceAccountRoleArn != "" && !roleArnRE.MatchString(a.ServiceAccountRoleArn) {
			v.bad(at(p, "serviceAccountRoleArn"), "serviceAccountRoleArn %q is not an IAM role ARN", a.ServiceAccountRoleArn)
		}
	}
	seen = map[string]bool{}
	for i, e := range c.AccessEntries {
		p := at(path, "accessEntries", i)
		m := principalArnRE.FindStringSubmatch(e.PrincipalArn)
		if e.PrincipalArn != "" && m == nil {
			v.bad(at(p, "principalArn"), "principalArn %q is not an IAM role or user ARN", e.PrincipalArn)
		}
		v.unique(seen, at(p, "principalArn"), "access entry principalArn", e.PrincipalArn)
		v.enum(at(p, "type"), "access entry type", e.Type, accessEntryTypes)
		if e.Type != "" && e.Type != "STANDARD" {
			if e.Username != "" || len(e.KubernetesGroups) > 0 {
				v.bad(at(p, "type"), "a %s access entry takes no username or kubernetesGroups: EKS sets them", e.Type)
			}
			if m != nil && m[2] != "role" {
				v.bad(at(p, "principalArn"), "a %s access entry needs a role, not %q", e.Type, e.PrincipalArn)
			}
		}
	}
}

// regionDefaultVpc is the VPC a region's resources without a vpcId live
// in, as far as validation can tell: the first declared non-default VPC,
// or "" for the one the emulator makes up.
func regionDefaultVpc(r *Region) string {
	for _, x := range r.Vpcs {
		if !x.IsDefault {
			return x.VpcID
		}
	}
	return ""
}

func orDefault(s, def string) string {
	if s == "" {
		return def
	}
	return s
}

func (v *validator) regionResources(r *Region, path []any) {
	def := regionDefaultVpc(r)
	subnets := map[string]*Subnet{}
	seen := map[string]bool{}
	for i := range r.Subnets {
		s := &r.Subnets[i]
		p := at(path, "subnets", i)
		v.unique(seen, at(p, "subnetId"), "subnetId", s.SubnetID)
		v.id(at(p, "subnetId"), "subnetId", s.SubnetID, "subnet-")
		v.id(at(p, "vpcId"), "vpcId", s.VpcID, "vpc-")
		if s.CidrBlock != "" {
			v.prefix(at(p, "cidrBlock"), "cidrBlock", s.CidrBlock, false)
		}
		if s.Ipv6CidrBlock != "" {
			v.prefix(at(p, "ipv6CidrBlock"), "ipv6CidrBlock", s.Ipv6CidrBlock, true)
		}
		if s.AvailabilityZone != "" && !strings.HasPrefix(s.AvailabilityZone, r.Name) {
			v.bad(at(p, "availabilityZone"), "availabilityZone %q is not in region %s", s.AvailabilityZone, r.Name)
		}
		if _, dup := subnets[s.SubnetID]; !dup {
			subnets[s.SubnetID] = s
		}
	}

	seen = map[string]bool{}
	associated := map[string]string{} // subnet -> route table
	mains := map[string]string{}      // vpc -> route table
	for i, t := range r.RouteTables {
		p := at(path, "routeTables", i)
		v.unique(seen, at(p, "routeTableId"), "routeTableId", t.RouteTableID)
		v.id(at(p, "routeTableId"), "routeTableId", t.RouteTableID, "rtb-")
		v.id(at(p, "vpcId"), "vpcId", t.VpcID, "vpc-")
		vpc := orDefault(t.VpcID, def)
		for j, a := range t.Associations {
			ap := at(p, "associations", j)
			switch {
			case a.Main && a.SubnetID != "":
				v.bad(ap, "an association is either a subnetId or main: true, not both")
			case a.Main:
				if other, dup := mains[vpc]; dup {
					v.bad(ap, "VPC %s already has main route table %s", orDefault(vpc, "(default)"), other)
				}
				mains[vpc] = t.RouteTableID
			case a.SubnetID == "":
				v.bad(ap, "an association needs a subnetId or main: true")
			default:
				s := subnets[a.SubnetID]
				if s == nil {
					v.bad(at(ap, "subnetId"), "route table %s is associated with subnet %q, which the region does not declare", t.RouteTableID, a.SubnetID)
					break
				}
				if other, dup := associated[a.SubnetID]; dup {
					v.bad(at(ap, "subnetId"), "subnet %s is already associated with route table %s; a subnet has one route table", a.SubnetID, other)
				}
				associated[a.SubnetID] = t.RouteTableID
				if sv := orDefault(s.VpcID, def); sv != vpc {
					v.bad(at(ap, "subnetId"), "subnet %s is in %s, route table %s in %s", a.SubnetID, orDefault(sv, "the default VPC"), t.RouteTableID, orDefault(vpc, "the default VPC"))
				}
			}
		}
		dests := map[string]bool{}
		for j, rt := range t.Routes {
			v.route(rt, at(p, "routes", j), dests)
		}
	}

	seen = map[string]bool{}
	for i, in := range r.Instances {
		p := at(path, "instances", i)
		v.unique(seen, at(p, "instanceId"), "instanceId", in.InstanceID)
		v.id(at(p, "instanceId"), "instanceId", in.InstanceID, "i-")
		v.id(at(p, "subnetId"), "subnetId", in.SubnetID, "subnet-")
		v.id(at(p, "vpcId"), "vpcId", in.VpcID, "vpc-")
		v.enum(at(p, "state"), "instance state", in.State, instanceStates)
		s := subnets[in.SubnetID]
		if in.SubnetID == "" && len(r.Subnets) > 0 {
			s = &r.Subnets[0]
		}
		if s != nil && in.VpcID != "" && orDefault(s.VpcID, def) != in.VpcID {
			v.bad(at(p, "vpcId"), "instance %s is in subnet %s of %s, not in %s", in.InstanceID, s.SubnetID, orDefault(s.VpcID, "the default VPC"), in.VpcID)
		}
		if in.PrivateIPAddress != "" {
			a, err := netip.ParseAddr(in.PrivateIPAddress)
			switch {
			case err != nil || !a.Is4():
				v.bad(at(p, "privateIpAddress"), "privateIpAddress %q is not an IPv4 address", in.PrivateIPAddress)
			case s != nil && s.CidrBlock != "":
				if cidr, err := netip.ParsePrefix(s.CidrBlock); err == nil && !cidr.Contains(a) {
					v.bad(at(p, "privateIpAddress"), "privateIpAddress %s is outside subnet %s (%s)", a, s.SubnetID, s.CidrBlock)
				}
			}
		}
		if in.PublicIPAddress != "" {
			if a, err := netip.ParseAddr(in.PublicIPAddress); err != nil || !a.Is4() {
				v.bad(at(p, "publicIpAddress"), "publicIpAddress %q is not an IPv4 address", in.PublicIPAddress)
			}
		}
		for j, a := range in.Ipv6Addresses {
			if ip, err := netip.ParseAddr(a); err != nil || !ip.Is6() || ip.Is4In6() {
				v.bad(at(p, "ipv6Addresses", j), "ipv6Addresses entry %q is not an IPv6 address", a)
			}
		}
		if ip := in.IamInstanceProfile; ip != nil && !instanceProfileArnRE.MatchString(ip.Arn) {
			v.bad(at(p, "iamInstanceProfile", "arn"), "iamInstanceProfile arn %q is not an instance profile ARN", ip.Arn)
		}
	}

	seen = map[string]bool{}
	for i, rp := range r.Repositories {
		p := at(path, "repositories", i)
		if rp.RepositoryName != "" && (len(rp.RepositoryName) < 2 || len(rp.RepositoryName) > 256 || !repositoryNameRE.MatchString(rp.RepositoryName)) {
			v.bad(at(p, "repositoryName"), "invalid repositoryName %q (lower case letters, digits, . _ - and /, 2 to 256 characters)", rp.RepositoryName)
		}
		v.unique(seen, at(p, "repositoryName"), "repositoryName", rp.RepositoryName)
		v.enum(at(p, "imageTagMutability"), "imageTagMutability", rp.ImageTagMutability, tagMutabilities)
		if e := rp.EncryptionConfiguration; e != nil {
			v.enum(at(p, "encryptionConfiguration", "encryptionType"), "encryptionType", e.EncryptionType, encryptionTypes)
			if e.KmsKey != "" && !strings.HasPrefix(e.EncryptionType, "KMS") {
				v.bad(at(p, "encryptionConfiguration", "kmsKey"), "kmsKey needs encryptionType KMS or KMS_DSSE")
			}
		}
	}
	if sc := r.RegistryScanningConfiguration; sc != nil {
		p := at(path, "registryScanningConfiguration")
		v.enum(at(p, "scanType"), "scanType", sc.ScanType, scanTypes)
		freqs := basicFrequencies
		if sc.ScanType == "ENHANCED" {
			freqs = enhancedFrequencies
		}
		for i, rule := range sc.Rules {
			rp := at(p, "rules", i)
			if rule.ScanFrequency == "" {
				v.bad(rp, "a scanning rule needs a scanFrequency (%s)", strings.Join(freqs, ", "))
			} else if !slices.Contains(freqs, rule.ScanFrequency) {
				v.bad(at(rp, "scanFrequency"), "scanFrequency %q is not one of %s scanning (%s)", rule.ScanFrequency, orDefault(sc.ScanType, "BASIC"), strings.Join(freqs, ", "))
			}
			if len(rule.RepositoryFilters) == 0 {
				v.bad(rp, "a scanning rule needs repositoryFilters")
			}
			for j, f := range rule.RepositoryFilters {
				if f.Filter == "" {
					v.bad(at(rp, "repositoryFilters", j), "a repository filter needs a filter")
				}
				v.enum(at(rp, "repositoryFilters", j, "filterType"), "filterType", f.FilterType, filterTypes)
			}
		}
	}

	seen = map[string]bool{}
	for i, lb := range r.LoadBalancers {
		v.loadBalancer(lb, at(path, "loadBalancers", i), seen)
	}
	v.denyActions(r.DenyActions, at(path, "denyActions"), false)
}

func (v *validator) route(rt Route, p []any, dests map[string]bool) {
	dest := rt.DestinationCidrBlock
	switch {
	case rt.DestinationCidrBlock != "" && rt.DestinationIpv6CidrBlock != "":
		v.bad(p, "a route has one destination: destinationCidrBlock or destinationIpv6CidrBlock")
	case rt.DestinationCidrBlock != "":
		v.prefix(at(p, "destinationCidrBlock"), "destinationCidrBlock", rt.DestinationCidrBlock, false)
	case rt.DestinationIpv6CidrBlock != "":
		dest = rt.DestinationIpv6CidrBlock
		v.prefix(at(p, "destinationIpv6CidrBlock"), "destinationIpv6CidrBlock", rt.DestinationIpv6CidrBlock, true)
	default:
		v.bad(p, "a route needs a destinationCidrBlock or destinationIpv6CidrBlock")
	}
	if dest != "" && dests[dest] {
		v.bad(p, "duplicate route to %s", dest)
	}
	dests[dest] = true
	targets := 0
	for _, t := range []struct{ key, val, prefix string }{
		{"natGatewayId", rt.NatGatewayID, "nat-"},
		{"egressOnlyInternetGatewayId", rt.EgressOnlyInternetGatewayID, "eigw-"},
		{"transitGatewayId", rt.TransitGatewayID, "tgw-"},
		{"vpcPeeringConnectionId", rt.VpcPeeringConnectionID, "pcx-"},
		{"networkInterfaceId", rt.NetworkInterfaceID, "eni-"},
	} {
		if t.val != "" {
			targets++
			v.id(at(p, t.key), t.key, t.val, t.prefix)
		}
	}
	if rt.GatewayID != "" {
		targets++
		if !slices.ContainsFunc(gatewayTargetPrefix, func(pre string) bool { return strings.HasPrefix(rt.GatewayID, pre) }) {
			v.bad(at(p, "gatewayId"), "gatewayId %q must be an igw-, vgw- or local", rt.GatewayID)
		}
	}
	if targets != 1 {
		v.bad(p, "a route needs exactly one target (gatewayId, natGatewayId, egressOnlyInternetGatewayId, transitGatewayId, vpcPeeringConnectionId or networkInterfaceId)")
	}
	if rt.EgressOnlyInternetGatewayID != "" && rt.DestinationIpv6CidrBlock == "" {
		v.bad(at(p, "egressOnlyInternetGatewayId"), "an egress-only internet gateway routes IPv6 only")
	}
}

func (v *validator) loadBalancer(lb LoadBalancer, p []any, seen map[string]bool) {
	if lb.LoadBalancerName != "" && (!lbNameRE.MatchString(lb.LoadBalancerName) || strings.HasPrefix(lb.LoadBalancerName, "internal-")) {
		v.bad(at(p, "loadBalancerName"), "invalid loadBalancerName %q (1 to 32 letters, digits and hyphens, not starting with internal-)", lb.LoadBalancerName)
	}
	v.unique(seen, at(p, "loadBalancerName"), "loadBalancerName", lb.LoadBalancerName)
	v.enum(at(p, "type"), "load balancer type", lb.Type, lbTypes)
	v.enum(at(p, "scheme"), "scheme", lb.Scheme, lbSchemes)
	v.id(at(p, "vpcId"), "vpcId", lb.VpcID, "vpc-")
	typ := orDefault(lb.Type, "application")
	protocols, known := lbProtocols[typ]
	if !known {
		return
	}
	ports := map[int32]bool{}
	for i, l := range lb.Listeners {
		lp := at(p, "listeners", i)
		if typ == "classic" {
			v.classicListener(l, lp, protocols, ports)
			continue
		}
		for _, k := range []struct {
			key string
			set bool
		}{{"loadBalancerPort", l.LoadBalancerPort != 0}, {"instanceProtocol", l.InstanceProtocol != ""}, {"instancePort", l.InstancePort != 0}, {"sslCertificateId", l.SSLCertificateID != ""}} {
			if k.set {
				v.bad(at(lp, k.key), "%s is a classic listener key; a %s load balancer's listener takes port, protocol, certificates and defaultActions", k.key, typ)
			}
		}
		port, protocol := l.Port, l.Protocol
		if typ == "gateway" {
			port, protocol = cmpOr(port, 6081), orDefault(protocol, "GENEVE")
		}
		switch {
		case port < 1 || port > 65535:
			v.bad(lp, "a listener needs a port in 1..65535")
		case ports[port]:
			v.bad(at(lp, "port"), "duplicate listener port %d", port)
		}
		ports[port] = true
		if protocol == "" {
			v.bad(lp, "a listener needs a protocol (%s)", strings.Join(protocols, ", "))
		} else if !slices.Contains(protocols, protocol) {
			v.bad(at(lp, "protocol"), "protocol %q is not one of a %s load balancer's (%s)", protocol, typ, strings.Join(protocols, ", "))
		}
		secure := protocol == "HTTPS" || protocol == "TLS"
		switch {
		case secure && len(l.Certificates) == 0:
			v.bad(lp, "a %s listener needs certificates", protocol)
		case !secure && len(l.Certificates) > 0:
			v.bad(at(lp, "certificates"), "certificates are for HTTPS and TLS listeners, not %s", protocol)
		case !secure && l.SslPolicy != "":
			v.bad(at(lp, "sslPolicy"), "sslPolicy is for HTTPS and TLS listeners, not %s", protocol)
		}
		for j, c := range l.Certificates {
			if !strings.HasPrefix(c.CertificateArn, "arn:") {
				v.bad(at(lp, "certificates", j, "certificateArn"), "certificateArn %q is not an ARN", c.CertificateArn)
			}
		}
		for j, a := range l.DefaultActions {
			ap := at(lp, "defaultActions", j)
			if a.Type == "" {
				v.bad(ap, "an action needs a type (%s)", strings.Join(actionTypes, ", "))
			}
			v.enum(at(ap, "type"), "action type", a.Type, actionTypes)
			if a.Type != "forward" && a.Type != "" && typ != "application" {
				v.bad(at(ap, "type"), "a %s load balancer only forwards", typ)
			}
			if (a.RedirectConfig != nil) != (a.Type == "redirect") {
				v.bad(ap, "redirectConfig goes with type redirect, and only with it")
			}
			if (a.FixedResponseConfig != nil) != (a.Type == "fixed-response") {
				v.bad(ap, "fixedResponseConfig goes with type fixed-response, and only with it")
			}
			if a.TargetGroupArn != "" && a.Type != "forward" {
				v.bad(at(ap, "targetGroupArn"), "targetGroupArn goes with type forward")
			}
			if rc := a.RedirectConfig; rc != nil {
				if rc.StatusCode == "" {
					v.bad(at(ap, "redirectConfig"), "redirectConfig needs a statusCode (HTTP_301 or HTTP_302)")
				}
				v.enum(at(ap, "redirectConfig", "statusCode"), "redirect statusCode", rc.StatusCode, redirectCodes)
				v.enum(at(ap, "redirectConfig", "protocol"), "redirect protocol", rc.Protocol, []string{"HTTP", "HTTPS", "#{protocol}"})
			}
			if fr := a.FixedResponseConfig; fr != nil && fr.StatusCode == "" {
				v.bad(at(ap, "fixedResponseConfig"), "fixedResponseConfig needs a statusCode")
			}
		}
	}
}

func cmpOr(v, def int32) int32 {
	if v == 0 {
		return def
	}
	return v
}

func (v *validator) classicListener(l Listener, lp []any, protocols []string, ports map[int32]bool) {
	for _, k := range []struct {
		key string
		set bool
	}{{"port", l.Port != 0}, {"certificates", l.Certificates != nil}, {"sslPolicy", l.SslPolicy != ""}, {"defaultActions", l.DefaultActions != nil}} {
		if k.set {
			v.bad(at(lp, k.key), "%s is a v2 listener key; a classic listener takes protocol, loadBalancerPort, instanceProtocol, instancePort and sslCertificateId", k.key)
		}
	}
	for _, port := range []struct {
		key string
		val int32
	}{{"loadBalancerPort", l.LoadBalancerPort}, {"instancePort", l.InstancePort}} {
		if port.val < 1 || port.val > 65535 {
			v.bad(lp, "a classic listener needs a %s in 1..65535", port.key)
		}
	}
	if l.LoadBalancerPort != 0 && ports[l.LoadBalancerPort] {
		v.bad(at(lp, "loadBalancerPort"), "duplicate listener port %d", l.LoadBalancerPort)
	}
	ports[l.LoadBalancerPort] = true
	protocol, instance := strings.ToUpper(l.Protocol), strings.ToUpper(orDefault(l.InstanceProtocol, l.Protocol))
	if protocol == "" {
		v.bad(lp, "a listener needs a protocol (%s)", strings.Join(protocols, ", "))
	} else if !slices.Contains(protocols, protocol) {
		v.bad(at(lp, "protocol"), "protocol %q is not one of a classic load balancer's (%s)", l.Protocol, strings.Join(protocols, ", "))
	}
	if instance != "" && !slices.Contains(protocols, instance) {
		v.bad(at(lp, "instanceProtocol"), "instanceProtocol %q is not one of a classic load balancer's (%s)", l.InstanceProtocol, strings.Join(protocols, ", "))
	}
	secure := protocol == "HTTPS" || protocol == "SSL"
	switch {
	case secure && l.SSLCertificateID == "":
		v.bad(lp, "a classic %s listener needs an sslCertificateId", protocol)
	case !secure && l.SSLCertificateID != "":
		v.bad(at(lp, "sslCertificateId"), "sslCertificateId is for HTTPS and SSL listeners, not %s", protocol)
	}
}

// iam checks an account's roles, customer policies and instance profiles.
func (v *validator) iam(acct string, f *IAM, path []any) {
	policies := map[string]bool{}
	seen := map[string]bool{}
	for i, p := range f.Policies {
		pp := at(path, "policies", i)
		if p.PolicyName != "" && !iamNameRE.MatchString(p.PolicyName) {
			v.bad(at(pp, "policyName"), "invalid policyName %q", p.PolicyName)
		}
		v.unique(seen, at(pp, "policyName"), "policyName", p.PolicyName)
		v.iamPath(p.Path, at(pp, "path"))
		v.document(p.PolicyDocument, at(pp, "policyDocument"), true)
		policies["arn:aws:iam::"+acct+":policy"+iamPath(p.Path)+p.PolicyName] = true
	}
	roles := map[string]bool{}
	for i, r := range f.Roles {
		rp := at(path, "roles", i)
		if r.RoleName != "" && !roleNameRE.MatchString(r.RoleName) {
			v.bad(at(rp, "roleName"), "invalid roleName %q", r.RoleName)
		}
		v.unique(roles, at(rp, "roleName"), "roleName", r.RoleName)
		v.iamPath(r.Path, at(rp, "path"))
		v.document(r.AssumeRolePolicyDocument, at(rp, "assumeRolePolicyDocument"), false)
		attached := map[string]bool{}
		for j, arn := range r.AttachedPolicies {
			ap := at(rp, "attachedPolicies", j)
			m := policyArnRE.FindStringSubmatch(arn)
			switch {
			case m == nil:
				v.bad(ap, "attachedPolicies entry %q is not a policy ARN", arn)
			case m[1] == "aws":
				if managedByArn[arn] == nil {
					v.bad(ap, "AWS managed policy %q is not known to the emulator (it knows %s)", arn, strings.Join(ManagedPolicyArns(), ", "))
				}
			case m[1] != acct:
				v.bad(ap, "policy %q belongs to account %s; a role attaches its own account's policies or AWS managed ones", arn, m[1])
			case !policies[arn]:
				v.bad(ap, "customer policy %q is not declared under iam.policies", arn)
			}
			if attached[arn] {
				v.bad(ap, "policy %q is attached twice", arn)
			}
			attached[arn] = true
		}
		names := map[string]bool{}
		for j, rpol := range r.RolePolicies {
			pp := at(rp, "rolePolicies", j)
			if rpol.PolicyName != "" && !iamNameRE.MatchString(rpol.PolicyName) {
				v.bad(at(pp, "policyName"), "invalid policyName %q", rpol.PolicyName)
			}
			v.unique(names, at(pp, "policyName"), "inline policyName", rpol.PolicyName)
			v.document(rpol.PolicyDocument, at(pp, "policyDocument"), true)
		}
	}
	seen = map[string]bool{}
	for i, ip := range f.InstanceProfiles {
		pp := at(path, "instanceProfiles", i)
		if ip.InstanceProfileName != "" && !iamNameRE.MatchString(ip.InstanceProfileName) {
			v.bad(at(pp, "instanceProfileName"), "invalid instanceProfileName %q", ip.InstanceProfileName)
		}
		v.unique(seen, at(pp, "instanceProfileName"), "instanceProfileName", ip.InstanceProfileName)
		v.iamPath(ip.Path, at(pp, "path"))
		if len(ip.Roles) > 1 {
			v.bad(at(pp, "roles"), "an instance profile holds at most one role")
		}
		for j, name := range ip.Roles {
			if !roles[name] {
				v.bad(at(pp, "roles", j), "role %q is not declared under iam.roles", name)
			}
		}
	}
}

func (v *validator) iamPath(p string, path []any) {
	if p != "" && !iamPathRE.MatchString(p) {
		v.bad(path, "path %q must start and end with /", p)
	}
}

// document checks a policy document: a JSON object with statements.
func (v *validator) document(d PolicyDocument, path []any, required bool) {
	if d == "" {
		if required {
			v.bad(path, "a policy needs a policyDocument")
		}
		return
	}
	m, ok := d.object()
	if !ok {
		v.bad(path, "policy document is not a JSON object")
		return
	}
	if _, ok := m["Statement"]; !ok {
		v.bad(path, "policy document has no Statement")
	}
}
