package emulator

import (
	"encoding/binary"
	"fmt"
	"math/big"
	"net/netip"
	"slices"
	"strconv"
	"strings"
	"time"
)

// resources are a region's EC2 subnets, route tables and instances, its ECR
// registry and its load balancers, with every default filled in. Like the
// rest of the world they are built once and never change.
type resources struct {
	subnets     []*Subnet
	subnetByID  map[string]*Subnet
	routeTables []*routeTable
	instances   []*instance
	repos       []*repository
	scanning    RegistryScanningConfiguration
	lbs         []*loadBalancer // v2 and classic, in fleet order
	lbByArn     map[string]*loadBalancer
	listeners   map[string]*listener // by ARN
}

type routeTable struct {
	id, vpcID    string
	routes       []Route
	associations []rtAssociation
	tags         map[string]string
}

type rtAssociation struct {
	id, subnetID string
	main         bool
}

type instance struct {
	Instance
	az, imageID, reservationID, eniID, profileID string
	launched                                     time.Time
}

type repository struct {
	Repository
	arn, uri string
}

type loadBalancer struct {
	LoadBalancer
	classic          bool
	arn, dns, zoneID string
	created          time.Time
	listeners        []*listener
}

type listener struct {
	Listener
	arn string
	lb  *loadBalancer
}

// buildResources fills the region's resources from the fleet. Anything they
// name in a VPC the fleet leaves out gets that VPC, as security groups do.
func (r *region) buildResources(fr *Region) {
	acct := r.acct.id
	r.subnetByID = map[string]*Subnet{}
	perVpc := map[string]int{}
	for i, fs := range fr.Subnets {
		if _, dup := r.subnetByID[fs.SubnetID]; dup {
			continue
		}
		s := fs
		if s.VpcID == "" {
			s.VpcID = r.defaultVpcID()
		}
		r.ensureVpc(s.VpcID)
		if s.CidrBlock == "" {
			s.CidrBlock = nthSubnet(r.vpcByID[s.VpcID].CidrBlock, perVpc[s.VpcID])
		}
		perVpc[s.VpcID]++
		if s.AvailabilityZone == "" {
			s.AvailabilityZone = r.name + string(rune('a'+i%3))
		}
		r.subnets = append(r.subnets, &s)
		r.subnetByID[s.SubnetID] = &s
	}

	mainFor := map[string]bool{}
	for _, ft := range fr.RouteTables {
		t := &routeTable{id: ft.RouteTableID, vpcID: ft.VpcID, tags: ft.Tags}
		if t.vpcID == "" {
			t.vpcID = r.defaultVpcID()
		}
		r.ensureVpc(t.vpcID)
		for _, a := range ft.Associations {
			t.associations = append(t.associations, rtAssociation{
				id: "rtbassoc-" + shortHex(digest("rtbassoc", acct, r.name, t.id, a.SubnetID, strconv.FormatBool(a.Main)), 17), subnetID: a.SubnetID, main: a.Main})
			if a.Main {
				mainFor[t.vpcID] = true
			}
		}
		t.routes = append([]Route{{DestinationCidrBlock: r.vpcByID[t.vpcID].CidrBlock, GatewayID: "local"}}, ft.Routes...)
		r.routeTables = append(r.routeTables, t)
	}

	for i, fi := range fr.Instances {
		r.instances = append(r.instances, r.newInstance(fi, i))
	}

	for _, fp := range fr.Repositories {
		rp := &repository{Repository: fp,
			arn: fmt.Sprintf("arn:aws:ecr:%s:%s:repository/%s", r.name, acct, fp.RepositoryName),
			uri: fmt.Sprintf("%s.dkr.ecr.%s.amazonaws.com/%s", acct, r.name, fp.RepositoryName)}
		if rp.ImageScanningConfiguration == nil {
			rp.ImageScanningConfiguration = &ImageScanningConfiguration{}
		}
		if rp.ImageTagMutability == "" {
			rp.ImageTagMutability = "MUTABLE"
		}
		if rp.CreatedAt == nil {
			rp.CreatedAt = ptr(defaultCreatedAt)
		}
		if rp.EncryptionConfiguration == nil {
			rp.EncryptionConfiguration = &RepositoryEncryption{EncryptionType: "AES256"}
		} else if rp.EncryptionConfiguration.EncryptionType == "" {
			e := *rp.EncryptionConfiguration
			e.EncryptionType = "AES256"
			rp.EncryptionConfiguration = &e
		}
		r.repos = append(r.repos, rp)
	}
	r.scanning = RegistryScanningConfiguration{ScanType: "BASIC", Rules: []ScanningRule{}}
	if sc := fr.RegistryScanningConfiguration; sc != nil {
		if sc.ScanType != "" {
			r.scanning.ScanType = sc.ScanType
		}
		for _, rule := range sc.Rules {
			filters := make([]RepositoryFilter, len(rule.RepositoryFilters))
			for j, f := range rule.RepositoryFilters {
				if f.FilterType == "" {
					f.FilterType = "WILDCARD"
				}
				filters[j] = f
			}
			r.scanning.Rules = append(r.scanning.Rules, ScanningRule{ScanFrequency: rule.ScanFrequency, RepositoryFilters: filters})
		}
	}

	r.lbByArn = map[string]*loadBalancer{}
	r.listeners = map[string]*listener{}
	for _, fl := range fr.LoadBalancers {
		lb := r.newLoadBalancer(fl)
		r.lbs = append(r.lbs, lb)
		r.lbByArn[lb.arn] = lb
		for _, l := range lb.listeners {
			r.listeners[l.arn] = l
		}
	}

	// Every VPC has a main route table; one the fleet does not declare holds
	// the local route only, so subnets without a table of their own are
	// private, as in a new VPC.
	for _, v := range r.vpcs {
		if mainFor[v.VpcID] {
			continue
		}
		id := "rtb-" + shortHex(digest("rtb-main", acct, r.name, v.VpcID), 17)
		r.routeTables = append(r.routeTables, &routeTable{id: id, vpcID: v.VpcID,
			routes:       []Route{{DestinationCidrBlock: v.CidrBlock, GatewayID: "local"}},
			associations: []rtAssociation{{id: "rtbassoc-" + shortHex(digest("rtbassoc-main", acct, r.name, id), 17), main: true}}})
	}
}

// nthSubnet is the n-th /24 of a VPC's CIDR (the CIDR itself when it is
// smaller than a /24), wrapping around.
func nthSubnet(vpcCidr string, n int) string {
	p, err := netip.ParsePrefix(vpcCidr)
	if err != nil || !p.Addr().Is4() || p.Bits() >= 24 {
		return vpcCidr
	}
	base := binary.BigEndian.Uint32(p.Masked().Addr().AsSlice())
	count := uint32(1) << (24 - p.Bits())
	var b [4]byte
	binary.BigEndian.PutUint32(b[:], base+(uint32(n)%count)<<8)
	return netip.PrefixFrom(netip.AddrFrom4(b), 24).String()
}

// hostIn picks a stable host address in a CIDR from a seed, away from the
// addresses AWS reserves.
func hostIn(cidr string, seed [32]byte) string {
	p, err := netip.ParsePrefix(cidr)
	if err != nil || !p.Addr().Is4() || p.Bits() > 28 {
		return "10.0.0." + strconv.Itoa(10+int(seed[0])%200)
	}
	base := binary.BigEndian.Uint32(p.Masked().Addr().AsSlice())
	size := uint32(1) << (32 - p.Bits())
	off := 4 + binary.BigEndian.Uint32(seed[:4])%(size-5)
	var b [4]byte
	binary.BigEndian.PutUint32(b[:], base+off)
	return netip.AddrFrom4(b).String()
}

func (r *region) newInstance(fi Instance, i int) *instance {
	acct := r.acct.id
	in := &instance{Instance: fi}
	d := digest("instance", acct, r.name, fi.InstanceID)
	if in.SubnetID == "" {
		if len(r.subnets) > 0 {
			in.SubnetID = r.subnets[0].SubnetID
		} else {
			in.SubnetID = "subnet-" + shortHex(digest("instance-subnet", acct, r.name), 17)
		}
	}
	sub := r.subnetByID[in.SubnetID]
	if in.VpcID == "" {
		if sub != nil {
			in.VpcID = sub.VpcID
		} else {
			in.VpcID = r.defaultVpcID()
		}
	}
	r.ensureVpc(in.VpcID)
	in.az = r.name + "a"
	cidr := r.vpcByID[in.VpcID].CidrBlock
	if sub != nil {
		in.az, cidr = sub.AvailabilityZone, sub.CidrBlock
	}
	if in.PrivateIPAddress == "" {
		in.PrivateIPAddress = hostIn(cidr, d)
	}
	if in.InstanceType == "" {
		in.InstanceType = "m5.large"
	}
	if in.State == "" {
		in.State = "running"
	}
	if in.IamInstanceProfile != nil {
		if m := instanceProfileArnRE.FindStringSubmatch(in.IamInstanceProfile.Arn); m != nil {
			in.profileID = instanceProfileID(m[1], m[2])
		}
	}
	in.imageID = "ami-" + shortHex(digest("ami", r.name, in.InstanceType), 17)
	in.reservationID = "r-" + shortHex(digest("reservation", acct, r.name, fi.InstanceID), 17)
	in.eniID = "eni-" + shortHex(digest("eni", acct, r.name, fi.InstanceID), 17)
	in.launched = defaultCreatedAt.Add(time.Hour + time.Duration(i)*time.Minute)
	return in
}

func (r *region) newLoadBalancer(fl LoadBalancer) *loadBalancer {
	acct := r.acct.id
	lb := &loadBalancer{LoadBalancer: fl, classic: fl.Type == "classic"}
	if lb.Type == "" {
		lb.Type = "application"
	}
	if lb.Scheme == "" {
		lb.Scheme = "internet-facing"
	}
	if lb.VpcID == "" {
		lb.VpcID = r.defaultVpcID()
	}
	r.ensureVpc(lb.VpcID)
	if lb.Tags == nil {
		lb.Tags = map[string]string{}
	}
	d := digest("elb", acct, r.name, lb.Type, fl.LoadBalancerName)
	lb.created = defaultCreatedAt.Add(24*time.Hour + time.Duration(binary.BigEndian.Uint16(d[:2]))*time.Minute)
	number := new(big.Int).SetBytes(d[2:10]).Text(10)
	for len(number) < 10 {
		number = "0" + number
	}
	internal := ""
	if lb.Scheme == "internal" {
		internal = "internal-"
	}
	id := shortHex(d, 16)
	lb.zoneID = "Z" + strings.ToUpper(keyChars("elb-zone", r.name, lb.Type)[:13])
	switch lb.Type {
	case "classic":
		lb.arn = fmt.Sprintf("arn:aws:elasticloadbalancing:%s:%s:loadbalancer/%s", r.name, acct, fl.LoadBalancerName)
		lb.dns = fmt.Sprintf("%s%s-%s.%s.elb.amazonaws.com", internal, fl.LoadBalancerName, number[:10], r.name)
	case "application":
		lb.arn = fmt.Sprintf("arn:aws:elasticloadbalancing:%s:%s:loadbalancer/app/%s/%s", r.name, acct, fl.LoadBalancerName, id)
		lb.dns = fmt.Sprintf("%s%s-%s.%s.elb.amazonaws.com", internal, fl.LoadBalancerName, number[:10], r.name)
	case "network":
		lb.arn = fmt.Sprintf("arn:aws:elasticloadbalancing:%s:%s:loadbalancer/net/%s/%s", r.name, acct, fl.LoadBalancerName, id)
		lb.dns = fmt.Sprintf("%s-%s.elb.%s.amazonaws.com", fl.LoadBalancerName, id, r.name)
	default: // gateway load balancers are reached through endpoints: no DNS name
		lb.arn = fmt.Sprintf("arn:aws:elasticloadbalancing:%s:%s:loadbalancer/gwy/%s/%s", r.name, acct, fl.LoadBalancerName, id)
	}
	for i, fl := range fl.Listeners {
		l := &listener{Listener: fl, lb: lb}
		if !lb.classic {
			typ := map[string]string{"application": "app", "network": "net", "gateway": "gwy"}[lb.Type]
			l.arn = fmt.Sprintf("arn:aws:elasticloadbalancing:%s:%s:listener/%s/%s/%s/%s", r.name, acct, typ, lb.LoadBalancerName, id,
				shortHex(digest("listener", lb.arn, strconv.Itoa(i)), 16))
			r.fillListener(l, i)
		} else {
			l.Protocol = strings.ToUpper(l.Protocol)
			l.InstanceProtocol = strings.ToUpper(l.InstanceProtocol)
			if l.InstanceProtocol == "" {
				l.InstanceProtocol = l.Protocol
			}
		}
		lb.listeners = append(lb.listeners, l)
	}
	return lb
}

// fillListener gives a v2 listener what ELB gives one: a default TLS policy
// on HTTPS and TLS, GENEVE on 6081 for a gateway, and a forward action to a
// target group when none is declared; redirects keep the request's parts.
func (r *region) fillListener(l *listener, i int) {
	lb := l.lb
	if lb.Type == "gateway" {
		if l.Protocol == "" {
			l.Protocol = "GENEVE"
		}
		if l.Port == 0 {
			l.Port = 6081
		}
	}
	if (l.Protocol == "HTTPS" || l.Protocol == "TLS") && l.SslPolicy == "" {
		l.SslPolicy = "ELBSecurityPolicy-TLS13-1-2-2021-06"
	}
	actions := make([]ListenerAction, 0, max(len(l.DefaultActions), 1))
	for _, a := range l.DefaultActions {
		if a.RedirectConfig != nil {
			rc := *a.RedirectConfig
			for _, f := range []struct {
				v   *string
				def string
			}{{&rc.Protocol, "#{protocol}"}, {&rc.Port, "#{port}"}, {&rc.Host, "#{host}"}, {&rc.Path, "/#{path}"}, {&rc.Query, "#{query}"}} {
				if *f.v == "" {
					*f.v = f.def
				}
			}
			a.RedirectConfig = &rc
		}
		actions = append(actions, a)
	}
	if len(actions) == 0 {
		actions = append(actions, ListenerAction{Type: "forward"})
	}
	for j := range actions {
		if actions[j].Type == "forward" && actions[j].TargetGroupArn == "" {
			name := lb.LoadBalancerName
			if len(name) > 17 {
				name = name[:17]
			}
			d := digest("targetgroup", lb.arn, strconv.Itoa(i), strconv.Itoa(j))
			actions[j].TargetGroupArn = fmt.Sprintf("arn:aws:elasticloadbalancing:%s:%s:targetgroup/k8s-%s-%s/%s", r.name, r.acct.id,
				strings.TrimSuffix(name, "-"), shortHex(d, 10), shortHex(digest("tg-id", lb.arn, strconv.Itoa(i), strconv.Itoa(j)), 16))
		}
	}
	l.DefaultActions = actions
}

// clusterParts are a cluster's node groups, add-ons and access entries.
type clusterParts struct {
	nodegroups    []*nodegroup
	nodegroupByID map[string]*nodegroup
	addons        []*addon
	addonByName   map[string]*addon
	entries       []*accessEntry
	entryByArn    map[string]*accessEntry
}

type nodegroup struct {
	Nodegroup
	arn, asg, remoteSG string
	created            time.Time
	diskSize           int32
}

type addon struct {
	Addon
	arn     string
	created time.Time
}

type accessEntry struct {
	AccessEntry
	arn     string
	created time.Time
}

// buildClusterParts fills what EKS fills in node groups, add-ons and access
// entries; doc is the cluster as DescribeCluster shows it.
func buildClusterParts(r *region, fc *Cluster, doc *Cluster) clusterParts {
	acct := r.acct.id
	p := clusterParts{}
	if len(fc.Nodegroups) > 0 {
		p.nodegroupByID = make(map[string]*nodegroup, len(fc.Nodegroups))
	}
	for _, fn := range fc.Nodegroups {
		if _, dup := p.nodegroupByID[fn.NodegroupName]; dup {
			continue
		}
		ng := &nodegroup{Nodegroup: fn, created: doc.CreatedAt.Add(15 * time.Minute)}
		id := uuidFrom("nodegroup", acct, r.name, fc.Name, fn.NodegroupName)
		ng.arn = fmt.Sprintf("arn:aws:eks:%s:%s:nodegroup/%s/%s/%s", r.name, acct, fc.Name, fn.NodegroupName, id)
		ng.asg = "eks-" + fn.NodegroupName + "-" + id
		if ng.NodeRole == "" {
			ng.NodeRole = fmt.Sprintf("arn:aws:iam::%s:role/%s-node", acct, fc.Name)
		}
		if ng.Subnets == nil {
			ng.Subnets = slices.Clone(doc.ResourcesVpcConfig.SubnetIDs)
		}
		if ng.Status == "" {
			ng.Status = "ACTIVE"
		}
		if ng.CapacityType == "" {
			ng.CapacityType = "ON_DEMAND"
		}
		if ng.InstanceTypes == nil {
			ng.InstanceTypes = []string{"t3.medium"}
		}
		if ng.Version == "" {
			ng.Version = doc.Version
		}
		if ng.AmiType == "" {
			ng.AmiType = "AL2023_x86_64_STANDARD"
			if minor, err := strconv.Atoi(strings.TrimPrefix(ng.Version, "1.")); err == nil && minor < 30 {
				ng.AmiType = "AL2_x86_64"
			}
		}
		if ng.ReleaseVersion == "" {
			ng.ReleaseVersion = ng.Version + ".0-20250115"
		}
		sc := ScalingConfig{MinSize: ptr(int32(1)), MaxSize: ptr(int32(2)), DesiredSize: ptr(int32(2))}
		if fs := fn.ScalingConfig; fs != nil {
			if fs.MinSize != nil {
				sc.MinSize = fs.MinSize
			}
			if fs.MaxSize != nil {
				sc.MaxSize = fs.MaxSize
			}
			if fs.DesiredSize != nil {
				sc.DesiredSize = fs.DesiredSize
			}
		}
		ng.ScalingConfig = &sc
		if ng.Labels == nil {
			ng.Labels = map[string]string{}
		}
		if ng.Tags == nil {
			ng.Tags = map[string]string{}
		}
		ng.diskSize = 20
		if ra := fn.RemoteAccess; ra != nil {
			// EKS makes a group for SSH; without source groups it is open
			// to the world on port 22.
			ng.remoteSG = "sg-" + shortHex(digest("remote-access", acct, r.name, fc.Name, fn.NodegroupName), 17)
			r.ensureRemoteAccessSG(ng.remoteSG, fc.Name, fn.NodegroupName, doc.ResourcesVpcConfig.VpcID, ra.SourceSecurityGroups)
		}
		p.nodegroups = append(p.nodegroups, ng)
		p.nodegroupByID[ng.NodegroupName] = ng
	}
	if len(fc.Addons) > 0 {
		p.addonByName = make(map[string]*addon, len(fc.Addons))
	}
	for _, fa := range fc.Addons {
		if _, dup := p.addonByName[fa.AddonName]; dup {
			continue
		}
		a := &addon{Addon: fa, created: doc.CreatedAt.Add(10 * time.Minute)}
		a.arn = fmt.Sprintf("arn:aws:eks:%s:%s:addon/%s/%s/%s", r.name, acct, fc.Name, fa.AddonName, uuidFrom("addon", acct, r.name, fc.Name, fa.AddonName))
		if a.AddonVersion == "" {
			a.AddonVersion = defaultAddonVersions[fa.AddonName]
			if a.AddonVersion == "" {
				a.AddonVersion = "v1.0.0-eksbuild.1"
			}
		}
		if a.Status == "" {
			a.Status = "ACTIVE"
		}
		if a.Tags == nil {
			a.Tags = map[string]string{}
		}
		p.addons = append(p.addons, a)
		p.addonByName[a.AddonName] = a
	}
	if len(fc.AccessEntries) > 0 {
		p.entryByArn = make(map[string]*accessEntry, len(fc.AccessEntries))
	}
	for _, fe := range fc.AccessEntries {
		if _, dup := p.entryByArn[fe.PrincipalArn]; dup {
			continue
		}
		e := &accessEntry{AccessEntry: fe, created: *doc.CreatedAt}
		if e.Type == "" {
			e.Type = "STANDARD"
		}
		if e.KubernetesGroups == nil {
			e.KubernetesGroups = []string{}
		}
		if e.Tags == nil {
			e.Tags = map[string]string{}
		}
		kind, owner, name := "role", acct, fe.PrincipalArn
		if m := principalArnRE.FindStringSubmatch(fe.PrincipalArn); m != nil {
			owner, kind, name = m[1], m[2], m[3]
		}
		if e.Username == "" {
			e.Username = defaultUsername(e.Type, kind, owner, name, fe.PrincipalArn)
		}
		e.arn = fmt.Sprintf("arn:aws:eks:%s:%s:access-entry/%s/%s/%s/%s/%s", r.name, acct, fc.Name, kind, owner, name,
			uuidFrom("access-entry", acct, r.name, fc.Name, fe.PrincipalArn))
		p.entries = append(p.entries, e)
		p.entryByArn[e.PrincipalArn] = e
	}
	return p
}

// defaultUsername is the Kubernetes user name EKS gives an access entry.
func defaultUsername(typ, kind, owner, name, principal string) string {
	switch typ {
	case "EC2_LINUX", "EC2_WINDOWS":
		return "system:node:{{EC2PrivateDNSName}}"
	case "FARGATE_LINUX", "HYBRID_LINUX":
		return "system:node:{{SessionName}}"
	}
	if kind == "role" {
		return fmt.Sprintf("arn:aws:sts::%s:assumed-role/%s/{{SessionName}}", owner, name)
	}
	return principal
}

// defaultAddonVersions are the versions add-ons left without one show.
var defaultAddonVersions = map[string]string{
	"vpc-cni":                "v1.19.2-eksbuild.1",
	"coredns":                "v1.11.4-eksbuild.2",
	"kube-proxy":             "v1.32.0-eksbuild.2",
	"aws-ebs-csi-driver":     "v1.38.1-eksbuild.2",
	"eks-pod-identity-agent": "v1.3.4-eksbuild.1",
}

// ensureRemoteAccessSG creates the group EKS makes for a node group's SSH
// access: port 22 from the source groups, or from anywhere without them.
func (r *region) ensureRemoteAccessSG(id, cluster, ng, vpcID string, sources []string) {
	if _, ok := r.sgByID[id]; ok {
		return
	}
	perm := IPPermission{IPProtocol: "tcp", FromPort: ptr(int32(22)), ToPort: ptr(int32(22))}
	if len(sources) == 0 {
		perm.IPRanges = []IPRange{{CidrIP: "0.0.0.0/0"}}
	}
	for _, s := range sources {
		perm.UserIDGroupPairs = append(perm.UserIDGroupPairs, UserIDGroupPair{GroupID: s, UserID: r.acct.id})
	}
	name := "eks-remoteAccess-" + uuidFrom("remote-access", r.acct.id, r.name, cluster, ng)
	g := &SecurityGroup{
		GroupID: id, GroupName: name, Description: "Security group for nodes", VpcID: vpcID,
		IPPermissions:       []IPPermission{perm},
		IPPermissionsEgress: []IPPermission{{IPProtocol: "-1", IPRanges: []IPRange{{CidrIP: "0.0.0.0/0"}}}},
		Tags:                map[string]string{"Name": name, "eks": cluster + "-" + ng},
	}
	r.ensureVpc(vpcID)
	r.sgs = append(r.sgs, g)
	r.sgByID[id] = g
}
