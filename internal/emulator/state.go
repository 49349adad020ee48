package emulator

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha256"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/base64"
	"encoding/hex"
	"encoding/pem"
	"fmt"
	"math/big"
	"net/netip"
	"slices"
	"strings"
	"sync"
	"time"
)

// world is the emulated estate. Its maps are built once in New and never
// change afterwards, so readers need no lock; only clusters mutate, each
// under its own mutex, which keeps the hot DescribeCluster path free of a
// global lock.
type world struct {
	accounts map[string]*account
	order    []*account
	org      bool
}

type account struct {
	id, name, email, status string
	roles                   map[string]bool // nil: any role name
	denyAssume              bool
	externalID              string
	regions                 map[string]*region
	regionOrder             []*region
	joined                  time.Time
	iam                     *iamState
	deny                    []string // denyActions, lower case
}

type region struct {
	acct         *account
	name         string
	declared     bool
	enabled      bool
	accessDenied bool
	clusters     map[string]*cluster
	clusterOrder []*cluster
	vpcs         []*Vpc
	vpcByID      map[string]*Vpc
	sgs          []*SecurityGroup
	sgByID       map[string]*SecurityGroup
	dopts        []*DhcpOptions
	doptByID     map[string]*DhcpOptions
	deny         []string // denyActions, lower case
	resources             // subnets, route tables, instances, registry, load balancers
}

// region returns the named region of the account. Regions the fleet does not
// declare exist, enabled and empty, as in a real account.
func (a *account) region(name string) *region {
	if r := a.regions[name]; r != nil {
		return r
	}
	return &region{acct: a, name: name, enabled: true}
}

var (
	defaultCreatedAt = time.Date(2025, 1, 15, 10, 0, 0, 0, time.UTC)
	dualStackSince   = time.Date(2024, 10, 1, 0, 0, 0, 0, time.UTC)
)

const (
	defaultVersion   = "1.32"
	clusterSGPurpose = "EKS created security group applied to ENI that is attached to EKS Control Plane master nodes, as well as any managed workloads."
)

func buildWorld(f *Fleet, now time.Time) *world {
	w := &world{accounts: make(map[string]*account, len(f.Accounts)), org: f.Organization == nil || *f.Organization}
	for i := range f.Accounts {
		fa := &f.Accounts[i]
		if _, dup := w.accounts[fa.ID]; dup || fa.ID == "" {
			continue // Validate reports it; New stays usable
		}
		a := &account{
			id: fa.ID, name: fa.Name, email: fa.Email, status: fa.Status,
			denyAssume: fa.DenyAssumeRole, externalID: fa.ExternalID,
			regions: make(map[string]*region, len(fa.Regions)),
			joined:  defaultCreatedAt.AddDate(-1, 0, i),
		}
		if a.name == "" {
			a.name = "account-" + a.id
		}
		if a.email == "" {
			a.email = strings.ToLower(strings.ReplaceAll(a.name, " ", "-")) + "@example.com"
		}
		if a.status == "" {
			a.status = "ACTIVE"
		}
		a.deny = denyPatterns(fa.DenyActions)
		a.iam = buildIAM(a.id, fa.IAM)
		if fa.Roles != nil {
			a.roles = make(map[string]bool, len(fa.Roles))
			for _, r := range fa.Roles {
				a.roles[r] = true
			}
		}
		for j := range fa.Regions {
			fr := &fa.Regions[j]
			if _, dup := a.regions[fr.Name]; dup {
				continue
			}
			r := buildRegion(a, fr, now)
			a.regions[r.name] = r
			a.regionOrder = append(a.regionOrder, r)
		}
		w.accounts[a.id] = a
		w.order = append(w.order, a)
	}
	return w
}

func buildRegion(a *account, fr *Region, now time.Time) *region {
	r := &region{
		acct: a, name: fr.Name, declared: true,
		enabled:      fr.Enabled == nil || *fr.Enabled,
		accessDenied: fr.AccessDenied,
		clusters:     make(map[string]*cluster, len(fr.Clusters)),
		vpcByID:      map[string]*Vpc{},
		sgByID:       map[string]*SecurityGroup{},
		doptByID:     map[string]*DhcpOptions{},
		deny:         denyPatterns(fr.DenyActions),
	}
	for _, d := range fr.DhcpOptions {
		d := d
		if d.DomainNameServers == nil {
			d.DomainNameServers = []string{"AmazonProvidedDNS"}
		}
		r.addDopt(&d)
	}
	for _, v := range fr.Vpcs {
		r.addVpc(v)
	}
	for _, g := range fr.SecurityGroups {
		g := g
		if g.VpcID == "" {
			g.VpcID = r.defaultVpcID()
		}
		r.ensureVpc(g.VpcID)
		if g.IPPermissionsEgress == nil {
			g.IPPermissionsEgress = []IPPermission{{IPProtocol: "-1", IPRanges: []IPRange{{CidrIP: "0.0.0.0/0"}}}}
		}
		if g.GroupName == "" {
			g.GroupName = g.GroupID
		}
		if _, dup := r.sgByID[g.GroupID]; !dup {
			r.sgs = append(r.sgs, &g)
			r.sgByID[g.GroupID] = &g
		}
	}
	for i := range fr.Clusters {
		if _, dup := r.clusters[fr.Clusters[i].Name]; dup {
			continue
		}
		c := newCluster(r, &fr.Clusters[i], now)
		r.clusters[c.name] = c
		r.clusterOrder = append(r.clusterOrder, c)
	}
	r.buildResources(fr)
	return r
}

func (r *region) addDopt(d *DhcpOptions) {
	if _, dup := r.doptByID[d.DhcpOptionsID]; dup {
		return
	}
	r.dopts = append(r.dopts, d)
	r.doptByID[d.DhcpOptionsID] = d
}

func (r *region) ensureDopt(id string) {
	if _, ok := r.doptByID[id]; !ok {
		r.addDopt(&DhcpOptions{DhcpOptionsID: id, DomainNameServers: []string{"AmazonProvidedDNS"}})
	}
}

func (r *region) defaultDoptID() string {
	return "dopt-" + shortHex(digest("dopt", r.acct.id, r.name), 17)
}

func (r *region) addVpc(v Vpc) {
	if _, dup := r.vpcByID[v.VpcID]; dup {
		return
	}
	// TD-29: DNS support is on everywhere, DNS hostnames only in default VPCs.
	if v.EnableDNSSupport == nil {
		v.EnableDNSSupport = ptr(true)
	}
	if v.EnableDNSHostnames == nil {
		v.EnableDNSHostnames = ptr(v.IsDefault)
	}
	if v.CidrBlock == "" {
		v.CidrBlock = "192.168.0.0/16"
		if v.IsDefault {
			v.CidrBlock = "172.31.0.0/16"
		}
	}
	if v.DhcpOptionsID == "" {
		v.DhcpOptionsID = r.defaultDoptID()
	}
	r.ensureDopt(v.DhcpOptionsID)
	r.vpcs = append(r.vpcs, &v)
	r.vpcByID[v.VpcID] = &v
}

// ensureVpc creates a VPC that something refers to but the fleet left out,
// so that EC2 lookups of what DescribeCluster reports always succeed.
func (r *region) ensureVpc(id string) {
	if _, ok := r.vpcByID[id]; !ok {
		r.addVpc(Vpc{VpcID: id})
	}
}

// defaultVpcID is where clusters without a vpcId live: the first declared
// non-default VPC, else one VPC the emulator makes up for the region.
func (r *region) defaultVpcID() string {
	for _, v := range r.vpcs {
		if !v.IsDefault {
			return v.VpcID
		}
	}
	return "vpc-" + shortHex(digest("vpc", r.acct.id, r.name), 17)
}

// ensureClusterSG creates the security group EKS makes for every cluster,
// with its default rules: all inbound from itself, all outbound (TD-29).
func (r *region) ensureClusterSG(id, clusterName, vpcID string) {
	if _, ok := r.sgByID[id]; ok {
		return
	}
	d := digest("sgname", r.acct.id, r.name, clusterName)
	suffix := new(big.Int).SetBytes(d[:8]).Text(10)
	for len(suffix) < 10 {
		suffix = "0" + suffix
	}
	name := "eks-cluster-sg-" + clusterName + "-" + suffix[:10]
	g := &SecurityGroup{
		GroupID: id, GroupName: name, Description: clusterSGPurpose, VpcID: vpcID,
		IPPermissions:       []IPPermission{{IPProtocol: "-1", UserIDGroupPairs: []UserIDGroupPair{{GroupID: id, UserID: r.acct.id}}}},
		IPPermissionsEgress: []IPPermission{{IPProtocol: "-1", IPRanges: []IPRange{{CidrIP: "0.0.0.0/0"}}}},
		Tags:                map[string]string{"Name": name, "aws:eks:cluster-name": clusterName, "kubernetes.io/cluster/" + clusterName: "owned"},
	}
	r.sgs = append(r.sgs, g)
	r.sgByID[id] = g
}

// cluster is the mutable state of one EKS cluster.
type cluster struct {
	name       string
	arn        string
	reg        *region
	registered bool // EKS Connector cluster: listed only with include=all
	dualStack  bool // IPv6 created after October 2024: may use IPv6 CIDRs

	mu      sync.Mutex
	doc     Cluster // configuration as DescribeCluster shows it, minus status
	status  string  // base status; an emulated update shows UPDATING over ACTIVE
	omit    []string
	updates []*update // creation order
	byID    map[string]*update
	tokens  map[string]*update
	running int // InProgress updates
	lagLeft int // DescribeCluster polls left before UPDATING shows (TD-21)
	seq     int

	view       []byte // cached DescribeCluster JSON for viewStatus
	viewStatus string

	hiddenUntil time.Time // TD-26; immutable

	parts clusterParts // node groups, add-ons, access entries; immutable
}

// visible returns the named cluster unless it does not exist or is still in
// its invisibleFor window.
func (r *region) visible(name string, now time.Time) *cluster {
	c := r.clusters[name]
	if c == nil || now.Before(c.hiddenUntil) {
		return nil
	}
	return c
}

// newCluster fills every member AWS would fill (TD-4..TD-7). Nested structs
// are copied before they are changed: the Fleet may back other servers.
func newCluster(r *region, fc *Cluster, now time.Time) *cluster {
	acct := r.acct.id
	d := digest("cluster", acct, r.name, fc.Name)
	doc := *fc
	doc.OmitFields, doc.Updates = nil, nil
	doc.Nodegroups, doc.Addons, doc.AccessEntries = nil, nil, nil
	c := &cluster{name: fc.Name, reg: r, status: fc.Status, omit: slices.Clone(fc.OmitFields),
		byID: map[string]*update{}, tokens: map[string]*update{}}
	if c.status == "" {
		c.status = "ACTIVE"
	}
	doc.Status = ""
	if doc.CreatedAt == nil {
		doc.CreatedAt = ptr(defaultCreatedAt)
	}
	if doc.Arn == "" {
		doc.Arn = fmt.Sprintf("arn:aws:eks:%s:%s:cluster/%s", r.name, acct, fc.Name)
	}
	c.arn = doc.Arn
	if doc.Version == "" {
		doc.Version = defaultVersion
	}
	if doc.PlatformVersion == "" {
		doc.PlatformVersion = "eks.12"
	}
	if doc.RoleArn == "" {
		doc.RoleArn = fmt.Sprintf("arn:aws:iam::%s:role/%s-cluster-role", acct, fc.Name)
	}

	knc := KubernetesNetworkConfig{}
	if fc.KubernetesNetworkConfig != nil {
		knc = *fc.KubernetesNetworkConfig
	}
	if knc.IPFamily == "" {
		knc.IPFamily = "ipv4"
	}
	c.dualStack = knc.IPFamily == "ipv6" && !doc.CreatedAt.Before(dualStackSince)

	vc := VpcConfig{}
	if fc.ResourcesVpcConfig != nil {
		vc = *fc.ResourcesVpcConfig
	}
	if vc.EndpointPublicAccess == nil {
		vc.EndpointPublicAccess = ptr(true)
	}
	if vc.EndpointPrivateAccess == nil {
		vc.EndpointPrivateAccess = ptr(false)
	}
	if vc.PublicAccessCidrs == nil {
		vc.PublicAccessCidrs = defaultPublicCidrs(c.dualStack)
	}
	if vc.SubnetIDs == nil {
		vc.SubnetIDs = defaultClusterSubnets(acct, r.name, fc.Name)
	}
	if vc.SecurityGroupIDs == nil {
		vc.SecurityGroupIDs = []string{}
	}
	if vc.VpcID == "" {
		vc.VpcID = r.defaultVpcID()
	}
	r.ensureVpc(vc.VpcID)
	if vc.ClusterSecurityGroupID == "" {
		vc.ClusterSecurityGroupID = "sg-" + shortHex(digest("sg", acct, r.name, fc.Name), 17)
	}
	r.ensureClusterSG(vc.ClusterSecurityGroupID, fc.Name, vc.VpcID)
	doc.ResourcesVpcConfig = &vc

	if knc.IPFamily == "ipv6" && knc.ServiceIpv6Cidr == "" {
		knc.ServiceIpv6Cidr = "fd" + shortHex(d, 2) + ":" + shortHex(digest("svc6", acct, r.name, fc.Name), 4) + ":" + shortHex(digest("svc6b", acct, r.name, fc.Name), 4) + "::/108"
	}
	if knc.IPFamily == "ipv4" && knc.ServiceIpv4Cidr == "" {
		// EKS picks 172.20.0.0/16 when the VPC is in 10.0.0.0/8, so the two
		// never overlap.
		knc.ServiceIpv4Cidr = "10.100.0.0/16"
		if v := r.vpcByID[vc.VpcID]; v != nil {
			if p, err := netip.ParsePrefix(v.CidrBlock); err == nil && netip.MustParsePrefix("10.0.0.0/8").Contains(p.Addr()) {
				knc.ServiceIpv4Cidr = "172.20.0.0/16"
			}
		}
	}
	doc.KubernetesNetworkConfig = &knc

	idHex := strings.ToUpper(hex.EncodeToString(d[:16]))
	if doc.Endpoint == "" {
		suffix := string([]byte{'a' + d[16]%26, 'a' + d[17]%26, '0' + d[18]%10})
		host := r.name + ".eks.amazonaws.com"
		if c.dualStack {
			host = r.name + ".api.aws"
		}
		doc.Endpoint = "https://" + idHex + "." + suffix + "." + host
	}
	if doc.Identity == nil {
		doc.Identity = &Identity{OIDC: &OIDC{Issuer: "https://oidc.eks." + r.name + ".amazonaws.com/id/" + idHex}}
	}
	if doc.CertificateAuthority == nil {
		doc.CertificateAuthority = &Certificate{Data: clusterCA()}
	}
	// EKS shows every log type, the enabled ones in one entry and the rest in
	// another, however the cluster was created; by default all are disabled.
	doc.Logging = renderLogging(enabledLogTypes(fc.Logging))
	if doc.Tags == nil {
		doc.Tags = map[string]string{}
	}
	if doc.Health == nil {
		doc.Health = &ClusterHealth{Issues: []ClusterIssue{}}
	}
	ac := AccessConfig{}
	if fc.AccessConfig != nil {
		ac = *fc.AccessConfig
	}
	if ac.BootstrapClusterCreatorAdminPermissions == nil {
		ac.BootstrapClusterCreatorAdminPermissions = ptr(true)
	}
	if ac.AuthenticationMode == "" {
		ac.AuthenticationMode = "CONFIG_MAP"
	}
	doc.AccessConfig = &ac
	if doc.UpgradePolicy == nil || doc.UpgradePolicy.SupportType == "" {
		doc.UpgradePolicy = &UpgradePolicy{SupportType: "EXTENDED"}
	}
	if doc.DeletionProtection == nil {
		doc.DeletionProtection = ptr(false)
	}
	if c.status == "PENDING" && doc.ConnectorConfig == nil {
		// PENDING is the state of a registered cluster whose agent has not
		// connected yet, so such a cluster is a registered one.
		doc.ConnectorConfig = &ConnectorConfig{
			ActivationID: uuidFrom("activation", acct, r.name, fc.Name), ActivationCode: "emulated-activation-code",
			ActivationExpiry: ptr(doc.CreatedAt.Add(72 * time.Hour)), Provider: "OTHER",
			RoleArn: fmt.Sprintf("arn:aws:iam::%s:role/eks-connector-agent-role", acct),
		}
	}
	c.registered = doc.ConnectorConfig != nil
	c.doc = doc
	c.parts = buildClusterParts(r, fc, &doc)
	if fc.InvisibleFor > 0 {
		c.hiddenUntil = now.Add(fc.InvisibleFor)
	}

	for i, fu := range fc.Updates {
		u := &update{ID: fu.ID, Type: fu.Type, Status: fu.Status, Params: slices.Clone(fu.Params), Errors: slices.Clone(fu.Errors)}
		if u.ID == "" {
			u.ID = uuidFrom("fleet-update", acct, r.name, fc.Name, fmt.Sprint(i))
		}
		if u.Status == "" {
			u.Status = "InProgress"
		}
		u.CreatedAt = now.Add(-time.Minute)
		if fu.CreatedAt != nil {
			u.CreatedAt = *fu.CreatedAt
		}
		if u.Status == "InProgress" {
			c.running++
			if fu.EndsAfter > 0 {
				u.endsAt = now.Add(fu.EndsAfter)
			}
		}
		c.updates = append(c.updates, u)
		c.byID[u.ID] = u
	}
	return c
}

// defaultClusterSubnets are the two subnets of a cluster that names none;
// generated fleets declare them to place node groups in.
func defaultClusterSubnets(acct, region, cluster string) []string {
	return []string{"subnet-" + shortHex(digest("subnet-a", acct, region, cluster), 17), "subnet-" + shortHex(digest("subnet-b", acct, region, cluster), 17)}
}

func defaultPublicCidrs(dualStack bool) []string {
	if dualStack {
		return []string{"0.0.0.0/0", "::/0"}
	}
	return []string{"0.0.0.0/0"}
}

// renderLogging groups log types the way EKS reports them: one entry for the
// enabled types and one for the disabled ones.
func renderLogging(enabled map[string]bool) *Logging {
	var on, off []string
	for _, t := range logTypes {
		if enabled[t] {
			on = append(on, t)
		} else {
			off = append(off, t)
		}
	}
	l := &Logging{ClusterLogging: []LogSetup{}}
	if len(on) > 0 {
		l.ClusterLogging = append(l.ClusterLogging, LogSetup{Types: on, Enabled: ptr(true)})
	}
	if len(off) > 0 {
		l.ClusterLogging = append(l.ClusterLogging, LogSetup{Types: off, Enabled: ptr(false)})
	}
	return l
}

func enabledLogTypes(l *Logging) map[string]bool {
	m := map[string]bool{}
	if l == nil {
		return m
	}
	for _, s := range l.ClusterLogging {
		for _, t := range s.Types {
			m[t] = s.Enabled != nil && *s.Enabled
		}
	}
	return m
}

var (
	caOnce sync.Once
	caData string
)

// clusterCA is one real self-signed CA shared by all clusters: clients that
// parse certificateAuthority.data get a valid PEM, and a fleet of ten
// thousand clusters does not pay for ten thousand key pairs.
func clusterCA() string {
	caOnce.Do(func() {
		key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
		if err != nil {
			return
		}
		tmpl := &x509.Certificate{
			SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "kubernetes"},
			NotBefore: time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC), NotAfter: time.Date(2034, 1, 1, 0, 0, 0, 0, time.UTC),
			IsCA: true, BasicConstraintsValid: true, KeyUsage: x509.KeyUsageCertSign | x509.KeyUsageDigitalSignature | x509.KeyUsageKeyEncipherment,
		}
		der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
		if err != nil {
			return
		}
		caData = base64.StdEncoding.EncodeToString(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}))
	})
	return caData
}

func digest(parts ...string) [32]byte {
	return sha256.Sum256([]byte(strings.Join(parts, "/")))
}

func shortHex(d [32]byte, n int) string {
	return hex.EncodeToString(d[:])[:n]
}

func ptr[T any](v T) *T { return &v }
