package emulator

import (
	"encoding/json"
	"maps"
	"net/http"
	"net/netip"
	"slices"
	"strconv"
	"strings"
	"time"
)

// updateConfigRequest is UpdateClusterConfigRequest. Members the emulator does
// not know (kubeApiServerConfig and whatever comes next) are ignored rather
// than rejected (A3).
type updateConfigRequest struct {
	ResourcesVpcConfig        *vpcConfigRequest          `json:"resourcesVpcConfig"`
	Logging                   *Logging                   `json:"logging"`
	ClientRequestToken        string                     `json:"clientRequestToken"`
	AccessConfig              *accessConfigRequest       `json:"accessConfig"`
	UpgradePolicy             *UpgradePolicy             `json:"upgradePolicy"`
	ZonalShiftConfig          *ZonalShiftConfig          `json:"zonalShiftConfig"`
	ComputeConfig             *ComputeConfig             `json:"computeConfig"`
	KubernetesNetworkConfig   *KubernetesNetworkConfig   `json:"kubernetesNetworkConfig"`
	StorageConfig             *StorageConfig             `json:"storageConfig"`
	RemoteNetworkConfig       *RemoteNetworkConfig       `json:"remoteNetworkConfig"`
	DeletionProtection        *bool                      `json:"deletionProtection"`
	ControlPlaneScalingConfig *ControlPlaneScalingConfig `json:"controlPlaneScalingConfig"`
}

type vpcConfigRequest struct {
	SubnetIDs              []string `json:"subnetIds"`
	SecurityGroupIDs       []string `json:"securityGroupIds"`
	EndpointPublicAccess   *bool    `json:"endpointPublicAccess"`
	EndpointPrivateAccess  *bool    `json:"endpointPrivateAccess"`
	PublicAccessCidrs      []string `json:"publicAccessCidrs"`
	ControlPlaneEgressMode *string  `json:"controlPlaneEgressMode"`
}

type accessConfigRequest struct {
	AuthenticationMode string `json:"authenticationMode"`
}

// categories lists the update types a request asks for (TD-11). An empty
// resourcesVpcConfig asks for nothing.
func (r *updateConfigRequest) categories() []string {
	var out []string
	if v := r.ResourcesVpcConfig; v != nil {
		if v.EndpointPublicAccess != nil || v.EndpointPrivateAccess != nil || v.PublicAccessCidrs != nil {
			out = append(out, "EndpointAccessUpdate")
		}
		if v.SubnetIDs != nil || v.SecurityGroupIDs != nil {
			out = append(out, "VpcConfigUpdate")
		}
		if v.ControlPlaneEgressMode != nil {
			out = append(out, "ControlPlaneEgressUpdate")
		}
	}
	if r.Logging != nil {
		out = append(out, "LoggingUpdate")
	}
	if r.AccessConfig != nil {
		out = append(out, "AccessConfigUpdate")
	}
	if r.UpgradePolicy != nil {
		out = append(out, "UpgradePolicyUpdate")
	}
	if r.ZonalShiftConfig != nil {
		out = append(out, "ZonalShiftConfigUpdate")
	}
	// Compute, block storage and load balancing travel together (Auto Mode).
	if r.ComputeConfig != nil || r.StorageConfig != nil || r.KubernetesNetworkConfig != nil {
		out = append(out, "AutoModeUpdate")
	}
	if r.RemoteNetworkConfig != nil {
		out = append(out, "RemoteNetworkConfigUpdate")
	}
	if r.DeletionProtection != nil {
		out = append(out, "DeletionProtectionUpdate")
	}
	if r.ControlPlaneScalingConfig != nil {
		out = append(out, "ControlPlaneScalingConfigUpdate")
	}
	return out
}

// canonicalBody is the request without its token, with keys sorted, so that
// an SDK retry and the original compare equal (TD-19).
func canonicalBody(body []byte) string {
	var m map[string]any
	if err := json.Unmarshal(body, &m); err != nil || m == nil {
		return string(body)
	}
	delete(m, "clientRequestToken")
	out, _ := json.Marshal(m)
	return string(out)
}

// updateClusterConfig validates in the order of TD-10..TD-18 and starts an
// update (TD-20..TD-23).
func (s *Server) updateClusterConfig(w http.ResponseWriter, c *call, reg *region, name string) *apiError {
	cl := reg.visible(name, s.clock.Now())
	if cl == nil {
		return clusterNotFound(name) // TD-10
	}
	body, err := s.startUpdate(c, cl)
	if err != nil {
		return err
	}
	s.eksJSON(w, c, body)
	return nil
}

func (s *Server) startUpdate(c *call, cl *cluster) ([]byte, *apiError) {
	name := cl.name
	body := c.body
	if len(body) == 0 {
		body = []byte("{}")
	}
	var req updateConfigRequest
	if err := json.Unmarshal(body, &req); err != nil {
		return nil, &apiError{status: http.StatusBadRequest, code: "BadRequestException", message: "Could not parse the request body: " + err.Error()}
	}
	canonical := canonicalBody(body)
	b := s.beh.Load()
	now := s.clock.Now()

	cl.mu.Lock()
	defer cl.mu.Unlock()
	cl.settle(now)

	// TD-19 comes first: a replay of an accepted request must get its update
	// back even though that update is now the one "in progress".
	if tok := req.ClientRequestToken; tok != "" {
		if u := cl.tokens[tok]; u != nil {
			if u.body == canonical {
				return updateBody(u), nil
			}
			if b.TokenMismatch != "new" {
				return nil, invalidParameter("The client request token %s has already been used for a different request.", tok)
			}
		}
	}

	cats := req.categories()
	switch {
	case len(cats) > 1:
		return nil, invalidParameter("Only one type of update can be allowed.") // TD-11
	case len(cats) == 0:
		// Unverified wording: EKS's answer to an empty update is not documented.
		return nil, invalidParameter("No update was requested: set one of resourcesVpcConfig, logging, accessConfig, upgradePolicy, zonalShiftConfig, computeConfig, storageConfig, kubernetesNetworkConfig, remoteNetworkConfig, deletionProtection or controlPlaneScalingConfig.")
	}
	typ := cats[0]
	if u := cl.runningAny(); u != nil { // TD-12
		return nil, &apiError{status: http.StatusConflict, code: "ResourceInUseException", message: "Cannot " + typ + " because cluster " + name + " currently has update " + u.ID + " in progress"}
	}
	switch cl.status {
	case "ACTIVE":
	case "CREATING", "UPDATING", "DELETING":
		// Unverified (open question E3): treated like a busy cluster.
		return nil, &apiError{status: http.StatusConflict, code: "ResourceInUseException", message: "Cluster " + name + " is in " + cl.status + " status and cannot be updated."}
	default:
		return nil, invalidRequest("Cluster %s is in %s status. Only ACTIVE clusters can be updated.", name, cl.status)
	}

	p := &planner{cl: cl, req: &req, b: b, now: now}
	var params []UpdateParam
	var apply func(*Cluster)
	var err *apiError
	switch typ {
	case "EndpointAccessUpdate":
		params, apply, err = p.endpointAccess()
	case "VpcConfigUpdate":
		params, apply, err = p.vpcConfig()
	case "ControlPlaneEgressUpdate":
		params, apply, err = p.egress()
	case "LoggingUpdate":
		params, apply, err = p.logging()
	case "AccessConfigUpdate":
		params, apply, err = p.accessConfig()
	case "UpgradePolicyUpdate":
		params, apply, err = p.upgradePolicy()
	case "ZonalShiftConfigUpdate":
		params, apply, err = p.zonalShift()
	case "AutoModeUpdate":
		params, apply, err = p.autoMode()
	case "RemoteNetworkConfigUpdate":
		params, apply, err = p.remoteNetwork()
	case "DeletionProtectionUpdate":
		params, apply, err = p.deletionProtection()
	case "ControlPlaneScalingConfigUpdate":
		params, apply, err = p.scaling()
	}
	if err != nil {
		return nil, err
	}

	u := &update{
		ID:   uuidFrom("update", cl.reg.acct.id, cl.reg.name, name, strconv.Itoa(cl.seq)),
		Type: typ, Status: "InProgress", Params: params, CreatedAt: now,
		endsAt: now.Add(b.UpdateDuration), fail: b.failSet[name], emulated: true,
		apply: apply, body: canonical,
	}
	cl.seq++
	if b.ApplyImmediately {
		u.snapshot = cl.doc
		apply(&cl.doc)
		u.applied = true
	}
	cl.updates = append(cl.updates, u)
	cl.byID[u.ID] = u
	if req.ClientRequestToken != "" {
		cl.tokens[req.ClientRequestToken] = u
	}
	cl.running++
	cl.lagLeft = b.StatusLag
	cl.view = nil
	return updateBody(u), nil
}

// planner validates one update category against the cluster and returns the
// update's params and what the update does when it succeeds. Every apply
// replaces nested structs instead of editing them (copy on write), because
// the previous values may still be shared with a snapshot or the Fleet.
type planner struct {
	cl  *cluster
	req *updateConfigRequest
	b   *behaviourState
	now time.Time
}

func jsonParam(typ string, v any) UpdateParam {
	b, _ := json.Marshal(v)
	return UpdateParam{Type: typ, Value: string(b)}
}

// endpointAccess implements TD-13..TD-17.
func (p *planner) endpointAccess() ([]UpdateParam, func(*Cluster), *apiError) {
	r := p.req.ResourcesVpcConfig
	cur := p.cl.doc.ResourcesVpcConfig
	pub, priv := *cur.EndpointPublicAccess, *cur.EndpointPrivateAccess
	// TD-13: omitted members keep their current values.
	newPub, newPriv := pub, priv
	if r.EndpointPublicAccess != nil {
		newPub = *r.EndpointPublicAccess
	}
	if r.EndpointPrivateAccess != nil {
		newPriv = *r.EndpointPrivateAccess
	}
	if !newPub && !newPriv {
		return nil, nil, invalidParameter("Both private and public endpoint access cannot be false") // TD-14
	}
	cidrs := cur.PublicAccessCidrs
	if r.PublicAccessCidrs != nil {
		switch {
		case newPub: // TD-15
			if len(r.PublicAccessCidrs) > 40 {
				// The real message for this quota is unknown.
				return nil, nil, invalidParameter("publicAccessCidrs can contain at most 40 CIDR blocks, got %d.", len(r.PublicAccessCidrs))
			}
			if bad := invalidPublicCidrs(r.PublicAccessCidrs, p.cl.dualStack, p.b.reserved); len(bad) > 0 {
				return nil, nil, invalidParameter("The following CIDRs are invalid in publicAccessCidrs: [%s]", strings.Join(bad, ","))
			}
			cidrs = slices.Clone(r.PublicAccessCidrs)
			if len(cidrs) == 0 {
				// "If you specify no CIDR blocks, then the public API server
				// endpoint receives requests from all IP addresses."
				cidrs = defaultPublicCidrs(p.cl.dualStack)
			}
		case p.b.StoreCidrsWhenPrivate: // TD-16, switched
			cidrs = slices.Clone(r.PublicAccessCidrs)
		}
		// TD-16 default: with public access off the list is neither
		// validated nor stored.
	}
	if newPub == pub && newPriv == priv && (!newPub || sameCidrSet(cidrs, cur.PublicAccessCidrs)) { // TD-17
		return nil, nil, invalidParameter("Cluster is already at the desired configuration with endpointPrivateAccess: %t , endpointPublicAccess: %t, and Public Endpoint Restrictions: [%s]",
			priv, pub, strings.Join(cur.PublicAccessCidrs, ", "))
	}
	params := []UpdateParam{
		{Type: "EndpointPublicAccess", Value: strconv.FormatBool(newPub)},
		{Type: "EndpointPrivateAccess", Value: strconv.FormatBool(newPriv)},
		jsonParam("PublicAccessCidrs", cidrs),
	}
	apply := func(d *Cluster) {
		v := *d.ResourcesVpcConfig
		v.EndpointPublicAccess, v.EndpointPrivateAccess, v.PublicAccessCidrs = ptr(newPub), ptr(newPriv), cidrs
		d.ResourcesVpcConfig = &v
	}
	return params, apply, nil
}

// invalidPublicCidrs returns the entries EKS would refuse: unparsable or with
// host bits set, IPv6 on a cluster that is not dual-stack, or inside a
// reserved range (TD-15).
func invalidPublicCidrs(cidrs []string, dualStack bool, reserved []netip.Prefix) []string {
	var bad []string
	for _, s := range cidrs {
		p, err := netip.ParsePrefix(s)
		if err != nil || p != p.Masked() || (p.Addr().Is6() && (!dualStack || p.Addr().Is4In6())) || isReserved(p, reserved) {
			bad = append(bad, s)
		}
	}
	return bad
}

func isReserved(p netip.Prefix, reserved []netip.Prefix) bool {
	for _, r := range reserved {
		if r.Addr().Is4() == p.Addr().Is4() && r.Bits() <= p.Bits() && r.Contains(p.Addr()) {
			return true
		}
	}
	return false
}

func sameCidrSet(a, b []string) bool {
	set := func(list []string) map[string]bool {
		m := make(map[string]bool, len(list))
		for _, s := range list {
			if p, err := netip.ParsePrefix(s); err == nil {
				s = p.String()
			}
			m[s] = true
		}
		return m
	}
	return maps.Equal(set(a), set(b))
}

func (p *planner) vpcConfig() ([]UpdateParam, func(*Cluster), *apiError) {
	r := p.req.ResourcesVpcConfig
	var params []UpdateParam
	if r.SubnetIDs != nil {
		// AWS also wants them in two AZs of the cluster's VPC; the emulator
		// models no subnets, so only the count is checked.
		if len(r.SubnetIDs) < 2 {
			return nil, nil, invalidParameter("Subnets specified must be in at least two different AZs")
		}
		params = append(params, jsonParam("Subnets", r.SubnetIDs))
	}
	if r.SecurityGroupIDs != nil {
		// The quota page says 4, the CreateCluster doc "up to five"; the
		// more permissive figure avoids false failures.
		if len(r.SecurityGroupIDs) > 5 {
			return nil, nil, invalidParameter("A maximum of 5 security groups can be specified, got %d.", len(r.SecurityGroupIDs))
		}
		params = append(params, jsonParam("SecurityGroups", r.SecurityGroupIDs))
	}
	subnets, sgs := slices.Clone(r.SubnetIDs), slices.Clone(r.SecurityGroupIDs)
	return params, func(d *Cluster) {
		v := *d.ResourcesVpcConfig
		if subnets != nil {
			v.SubnetIDs = subnets
		}
		if sgs != nil {
			v.SecurityGroupIDs = sgs
		}
		d.ResourcesVpcConfig = &v
	}, nil
}

func (p *planner) egress() ([]UpdateParam, func(*Cluster), *apiError) {
	mode := *p.req.ResourcesVpcConfig.ControlPlaneEgressMode
	if !contains(egressModes, mode) {
		return nil, nil, invalidParameter("Invalid controlPlaneEgressMode: %s", mode)
	}
	if cur := p.cl.doc.ResourcesVpcConfig.ControlPlaneEgressMode; cur == "CUSTOMER_ROUTED" && mode == "AWS_MANAGED" {
		return nil, nil, invalidParameter("controlPlaneEgressMode cannot be changed from CUSTOMER_ROUTED to AWS_MANAGED.")
	}
	return []UpdateParam{{Type: "ControlPlaneEgressMode", Value: mode}}, func(d *Cluster) {
		v := *d.ResourcesVpcConfig
		v.ControlPlaneEgressMode = mode
		d.ResourcesVpcConfig = &v
	}, nil
}

func (p *planner) logging() ([]UpdateParam, func(*Cluster), *apiError) {
	cur := enabledLogTypes(p.cl.doc.Logging)
	next := maps.Clone(cur)
	for _, setup := range p.req.Logging.ClusterLogging {
		on := setup.Enabled != nil && *setup.Enabled
		for _, t := range setup.Types {
			if !contains(logTypes, t) {
				return nil, nil, invalidParameter("Invalid log type %s. Valid types are api, audit, authenticator, controllerManager and scheduler.", t)
			}
			next[t] = on
		}
	}
	same := true
	for _, t := range logTypes {
		if cur[t] != next[t] {
			same = false
		}
	}
	if same {
		return nil, nil, invalidParameter("No changes needed for the logging config provided")
	}
	return []UpdateParam{jsonParam("ClusterLogging", p.req.Logging.ClusterLogging)}, func(d *Cluster) {
		d.Logging = renderLogging(next)
	}, nil
}

// accessConfig enforces TD-18: CONFIG_MAP -> API_AND_CONFIG_MAP -> API only.
func (p *planner) accessConfig() ([]UpdateParam, func(*Cluster), *apiError) {
	mode := p.req.AccessConfig.AuthenticationMode
	if !contains(authModes, mode) {
		return nil, nil, invalidParameter("Invalid authenticationMode: %q. Valid values are CONFIG_MAP, API_AND_CONFIG_MAP and API.", mode)
	}
	cur := p.cl.doc.AccessConfig.AuthenticationMode
	if slices.Index(authModes, mode) <= slices.Index(authModes, cur) {
		return nil, nil, invalidParameter("Unsupported authentication mode update from %s to %s", cur, mode)
	}
	return []UpdateParam{{Type: "AuthenticationMode", Value: mode}}, func(d *Cluster) {
		a := *d.AccessConfig
		a.AuthenticationMode = mode
		d.AccessConfig = &a
	}, nil
}

// standardSupportEnds is when each Kubernetes version entered extended
// support on EKS (from the EKS version calendar; later versions are assumed
// to be in standard support).
var standardSupportEnds = map[string]time.Time{
	"1.23": date(2023, 10, 11), "1.24": date(2024, 1, 31), "1.25": date(2024, 5, 1),
	"1.26": date(2024, 6, 11), "1.27": date(2024, 7, 24), "1.28": date(2024, 11, 26),
	"1.29": date(2025, 3, 23), "1.30": date(2025, 7, 23), "1.31": date(2025, 11, 26),
	"1.32": date(2026, 3, 23), "1.33": date(2026, 7, 29), "1.34": date(2026, 12, 2),
}

func date(y int, m time.Month, d int) time.Time { return time.Date(y, m, d, 0, 0, 0, 0, time.UTC) }

func inExtendedSupport(version string, now time.Time) bool {
	if end, ok := standardSupportEnds[version]; ok {
		return !now.Before(end)
	}
	major, minor, _ := strings.Cut(version, ".")
	n, err := strconv.Atoi(minor)
	return err == nil && major == "1" && n < 23
}

func (p *planner) upgradePolicy() ([]UpdateParam, func(*Cluster), *apiError) {
	st := p.req.UpgradePolicy.SupportType
	if !contains(supportTypes, st) {
		return nil, nil, invalidParameter("Invalid supportType: %q. Valid values are STANDARD and EXTENDED.", st)
	}
	cur := p.cl.doc.UpgradePolicy.SupportType
	if cur == "EXTENDED" && st == "STANDARD" && inExtendedSupport(p.cl.doc.Version, p.now) {
		// TD-18: "You cannot disable extended support once it starts." Wording unverified.
		return nil, nil, invalidParameter("Cannot set supportType to STANDARD: cluster %s runs Kubernetes %s, which is already in extended support.", p.cl.name, p.cl.doc.Version)
	}
	return []UpdateParam{jsonParam("UpgradePolicy", p.req.UpgradePolicy)}, func(d *Cluster) {
		d.UpgradePolicy = &UpgradePolicy{SupportType: st}
	}, nil
}

func (p *planner) zonalShift() ([]UpdateParam, func(*Cluster), *apiError) {
	z := p.req.ZonalShiftConfig
	if z.Enabled == nil {
		return nil, nil, invalidParameter("zonalShiftConfig.enabled is required.")
	}
	on := *z.Enabled
	return []UpdateParam{jsonParam("ZonalShiftConfig", z)}, func(d *Cluster) {
		d.ZonalShiftConfig = &ZonalShiftConfig{Enabled: ptr(on)}
	}, nil
}

func (p *planner) deletionProtection() ([]UpdateParam, func(*Cluster), *apiError) {
	on := *p.req.DeletionProtection
	return []UpdateParam{{Type: "DeletionProtection", Value: strconv.FormatBool(on)}}, func(d *Cluster) {
		d.DeletionProtection = ptr(on)
	}, nil
}

func (p *planner) scaling() ([]UpdateParam, func(*Cluster), *apiError) {
	tier := p.req.ControlPlaneScalingConfig.Tier
	if !contains(scalingTiers, tier) {
		return nil, nil, invalidParameter("Invalid tier: %q.", tier)
	}
	prev := "standard"
	if cur := p.cl.doc.ControlPlaneScalingConfig; cur != nil && cur.Tier != "" {
		prev = cur.Tier
	}
	return []UpdateParam{{Type: "UpdatedTier", Value: tier}, {Type: "PreviousTier", Value: prev}}, func(d *Cluster) {
		d.ControlPlaneScalingConfig = &ControlPlaneScalingConfig{Tier: tier}
	}, nil
}

var rfc1918 = []netip.Prefix{netip.MustParsePrefix("10.0.0.0/8"), netip.MustParsePrefix("172.16.0.0/12"), netip.MustParsePrefix("192.168.0.0/16")}

// remoteNetwork checks the hybrid nodes rules of A3: RFC 1918 only, /8 to
// /32, at most 15 per list, no overlap with the VPC or service CIDR. Sending
// both lists empty removes the configuration.
func (p *planner) remoteNetwork() ([]UpdateParam, func(*Cluster), *apiError) {
	r := p.req.RemoteNetworkConfig
	var avoid []netip.Prefix
	if v := p.cl.reg.vpcByID[p.cl.doc.ResourcesVpcConfig.VpcID]; v != nil {
		if pf, err := netip.ParsePrefix(v.CidrBlock); err == nil {
			avoid = append(avoid, pf)
		}
	}
	if k := p.cl.doc.KubernetesNetworkConfig; k != nil {
		if pf, err := netip.ParsePrefix(k.ServiceIpv4Cidr); err == nil {
			avoid = append(avoid, pf)
		}
	}
	for _, list := range []struct {
		name string
		nets []RemoteNetwork
	}{{"remoteNodeNetworks", r.RemoteNodeNetworks}, {"remotePodNetworks", r.RemotePodNetworks}} {
		var all, bad []string
		for _, n := range list.nets {
			all = append(all, n.Cidrs...)
		}
		if len(all) > 15 {
			return nil, nil, invalidParameter("%s can contain at most 15 CIDR blocks, got %d.", list.name, len(all))
		}
		for _, s := range all {
			pf, err := netip.ParsePrefix(s)
			ok := err == nil && pf == pf.Masked() && pf.Addr().Is4() && pf.Bits() >= 8
			if ok {
				ok = slices.ContainsFunc(rfc1918, func(r netip.Prefix) bool { return r.Bits() <= pf.Bits() && r.Contains(pf.Addr()) }) &&
					!slices.ContainsFunc(avoid, pf.Overlaps)
			}
			if !ok {
				bad = append(bad, s)
			}
		}
		if len(bad) > 0 {
			return nil, nil, invalidParameter("The following CIDRs are invalid in %s: [%s]", list.name, strings.Join(bad, ","))
		}
	}
	empty := len(r.RemoteNodeNetworks) == 0 && len(r.RemotePodNetworks) == 0
	next := &RemoteNetworkConfig{RemoteNodeNetworks: cloneNetworks(r.RemoteNodeNetworks), RemotePodNetworks: cloneNetworks(r.RemotePodNetworks)}
	return []UpdateParam{jsonParam("RemoteNetworkConfig", r)}, func(d *Cluster) {
		if empty {
			d.RemoteNetworkConfig = nil
			return
		}
		d.RemoteNetworkConfig = next
	}, nil
}

func cloneNetworks(in []RemoteNetwork) []RemoteNetwork {
	out := make([]RemoteNetwork, len(in))
	for i, n := range in {
		out[i] = RemoteNetwork{Cidrs: slices.Clone(n.Cidrs)}
	}
	return out
}

// autoMode enforces "The compute, block storage, and load balancing
// capabilities must all be enabled or disabled in the same request".
func (p *planner) autoMode() ([]UpdateParam, func(*Cluster), *apiError) {
	r := p.req
	var compute, storage, elb *bool
	if r.ComputeConfig != nil {
		compute = r.ComputeConfig.Enabled
	}
	if r.StorageConfig != nil && r.StorageConfig.BlockStorage != nil {
		storage = r.StorageConfig.BlockStorage.Enabled
	}
	if r.KubernetesNetworkConfig != nil && r.KubernetesNetworkConfig.ElasticLoadBalancing != nil {
		elb = r.KubernetesNetworkConfig.ElasticLoadBalancing.Enabled
	}
	if compute == nil || storage == nil || elb == nil || *compute != *storage || *compute != *elb {
		return nil, nil, invalidParameter("The compute, block storage, and load balancing capabilities must all be enabled or disabled in the same request.")
	}
	on := *compute
	if cur := p.cl.doc.ComputeConfig; cur != nil && cur.Enabled != nil && *cur.Enabled && cur.NodeRoleArn != "" &&
		r.ComputeConfig.NodeRoleArn != "" && r.ComputeConfig.NodeRoleArn != cur.NodeRoleArn {
		return nil, nil, invalidParameter("nodeRoleArn cannot be changed once compute is enabled.")
	}
	cc := *r.ComputeConfig
	cc.Enabled, cc.NodePools = ptr(on), slices.Clone(cc.NodePools)
	params := []UpdateParam{jsonParam("ComputeConfig", r.ComputeConfig), jsonParam("StorageConfig", r.StorageConfig), jsonParam("KubernetesNetworkConfig", r.KubernetesNetworkConfig)}
	return params, func(d *Cluster) {
		d.ComputeConfig = &cc
		d.StorageConfig = &StorageConfig{BlockStorage: &BlockStorage{Enabled: ptr(on)}}
		k := KubernetesNetworkConfig{}
		if d.KubernetesNetworkConfig != nil {
			k = *d.KubernetesNetworkConfig
		}
		k.ElasticLoadBalancing = &ElasticLoadBalancing{Enabled: ptr(on)}
		d.KubernetesNetworkConfig = &k
	}, nil
}
