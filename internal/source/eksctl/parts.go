package eksctl

import (
	"fmt"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/eksguard/eksguard/internal/finding"
	"github.com/eksguard/eksguard/internal/model"
	"github.com/eksguard/eksguard/internal/source/iac/yamledit"
)

// What a ClusterConfig declares beside the cluster: its node groups (managedNodeGroups and
// nodeGroups) and its EKS add-ons, with eksctl's defaults (eksctl v0.230.0: pkg/apis/eksctl.io/v1alpha5
// defaults.go, validation.go and known_addons.go, pkg/actions/addon/tasks.go, pkg/vpc/vpc.go).

const (
	noPrivateNetworking = "eksctl puts node groups in public subnets unless privateNetworking is true"
	eksctlSubnets       = "eksctl chooses the subnets"
	noSSH               = eksctlDefault + ": no SSH access unless ssh.allow is true or a public key is given"
	defaultVPCCNI       = "eksctl creates vpc-cni as an EKS add-on without configuration values"
	noAddonConf         = "configurationValues left out: eksctl creates the add-on without configuration values"
	// vpcCNI is the EKS add-on name of the Amazon VPC CNI, which eksctl creates by default.
	vpcCNI = "vpc-cni"
)

// maxEntries bounds the node groups, and the add-ons, read from one document. EKS allows a few dozen
// managed node groups per cluster; aliases, though, let a short file list the same large node group
// many times.
const maxEntries = 1000

// nodeGroups reads managedNodeGroups[] and nodeGroups[]. A document that declares at least one has
// its node groups read, so the checks of nodes judge them.
func (c *config) nodeGroups() {
	cl := c.cluster
	var ngs []model.NodeGroup
	lists := 0
	for _, field := range []string{"managedNodeGroups", "nodeGroups"} {
		n := get(c.root, field)
		if n == nil || n.Kind != yaml.SequenceNode {
			continue
		}
		for i, e := range n.Content {
			if lists++; lists > maxEntries {
				c.limit(e, "%s: eksguard reads at most %d node groups from one document; the node groups are not checked", field, maxEntries)
				return
			}
			ng := yamledit.Deref(e)
			if ng == nil || ng.Kind != yaml.MappingNode {
				continue
			}
			ngs = append(ngs, c.nodeGroup(ng, fmt.Sprintf("%s[%d]", field, i)))
		}
	}
	if len(ngs) == 0 {
		return
	}
	cl.NodeGroups = ngs
	cl.Parts = cl.Parts.Add(model.PartNodeGroups, model.PartInstances, model.PartSubnets)
}

// nodeGroup reads one entry of managedNodeGroups or nodeGroups, named path.
func (c *config) nodeGroup(ng *yaml.Node, path string) model.NodeGroup {
	loc := c.loc(ng)
	out := model.NodeGroup{Name: str(get(ng, "name")), Loc: loc}
	if out.Name == "" {
		out.Name = path
	}

	pnKey := getKey(ng, "privateNetworking")
	pn := c.boolField(pnKey, get(ng, "privateNetworking"), path+".privateNetworking", false, noPrivateNetworking)
	if pn.Loc == nil {
		pn.Loc = loc
	}
	// eksctl rejects a node group of a fully-private cluster without privateNetworking. Written
	// false, that is a problem; left out, the node group is unknown rather than public, since the
	// cluster's VPC has only private subnets.
	switch {
	case c.private && pn.Origin == model.OriginExplicit && !pn.Value:
		c.problem(pnKey, "%s.privateNetworking must be enabled for a fully-private cluster (privateCluster.enabled); eksctl rejects the config", path)
	case c.private && pn.Origin == model.OriginDefault:
		pn = model.Bool{Origin: model.OriginUnknown, Loc: pn.Loc,
			Detail: path + ".privateNetworking is left out, which eksctl rejects in a fully-private cluster (privateCluster.enabled); set it to true"}
	}
	out.PrivateNetworking = &pn

	out.Subnets = model.UnknownList(eksctlSubnets)
	if sk := getKey(ng, "subnets"); sk != nil {
		if n := get(ng, "subnets"); n != nil && !(n.Kind == yaml.ScalarNode && n.ShortTag() == "!!null") {
			if list, why := c.list(n, path+".subnets"); why != "" {
				out.Subnets = model.UnknownList(why)
			} else {
				out.Subnets = model.ExplicitList(list...)
			}
			out.Subnets.Loc = c.loc(sk)
		}
	}

	out.RemoteAccess, out.RemoteAccessSources = c.ssh(ng, path, loc)
	return out
}

// ssh reads a node group's ssh: access is on with allow true, or with a public key and allow not
// false (eksctl's setSSHDefaults); sourceSecurityGroupIds narrow who may connect.
func (c *config) ssh(ng *yaml.Node, path string, at *model.Location) (model.Bool, []string) {
	field := path + ".ssh"
	sshKey := getKey(ng, "ssh")
	ssh := get(ng, "ssh")
	if ssh == nil || ssh.Kind == yaml.ScalarNode && ssh.ShortTag() == "!!null" {
		b := model.Default(false, noSSH)
		b.Loc = at
		return b, nil
	}
	if ssh.Kind != yaml.MappingNode {
		return model.Bool{Origin: model.OriginUnknown, Loc: c.loc(sshKey), Detail: field + " is not a mapping"}, nil
	}
	allowKey := getKey(ssh, "allow")
	allow, present, ok, why := boolValue(get(ssh, "allow"), field+".allow")
	if !ok {
		return model.Bool{Origin: model.OriginUnknown, Loc: c.loc(allowKey), Detail: why}, nil
	}
	var sources []string
	if n := get(ssh, "sourceSecurityGroupIds"); n != nil && !(n.Kind == yaml.ScalarNode && n.ShortTag() == "!!null") {
		list, why := c.list(n, field+".sourceSecurityGroupIds")
		if why != "" {
			return model.Bool{Origin: model.OriginUnknown, Loc: c.loc(getKey(ssh, "sourceSecurityGroupIds")), Detail: why}, nil
		}
		sources = list
	}
	switch {
	case present:
		return model.Bool{Value: allow, Origin: model.OriginExplicit, Loc: c.loc(allowKey)}, sources
	}
	for _, k := range []string{"publicKeyName", "publicKeyPath", "publicKey"} {
		if v := get(ssh, k); v != nil && v.Kind == yaml.ScalarNode && v.Value != "" && v.ShortTag() != "!!null" {
			return model.Bool{Value: true, Origin: model.OriginExplicit, Loc: c.loc(getKey(ssh, k)),
				Detail: field + "." + k + " without allow: false turns SSH access on"}, sources
		}
	}
	b := model.Default(false, noSSH)
	b.Loc = c.loc(sshKey)
	return b, nil
}

// addons reads addons[]. eksctl creates vpc-cni, kube-proxy and coredns as EKS add-ons unless
// addonsConfig.disableDefaultAddons is true (or, with Auto Mode, only metrics-server): a document with
// an addons key that lists no vpc-cni still gets one, without configuration values.
func (c *config) addons() {
	cl := c.cluster
	key := getKey(c.root, "addons")
	if key == nil {
		return
	}
	var addons []model.Addon
	hasCNI := false
	unnamed := ""
	if n := get(c.root, "addons"); n != nil && n.Kind == yaml.SequenceNode {
		for i, e := range n.Content {
			if i >= maxEntries {
				c.limit(e, "addons: eksguard reads at most %d add-ons from one document; the add-ons are not checked", maxEntries)
				return
			}
			a, why := c.addon(yamledit.Deref(e), fmt.Sprintf("addons[%d]", i))
			if why != "" && unnamed == "" {
				unnamed = why
			}
			if a.Name == "" {
				continue
			}
			hasCNI = hasCNI || strings.EqualFold(a.Name, vpcCNI)
			addons = append(addons, a)
		}
	}
	if !hasCNI {
		if cv, ok := c.defaultAddons(); ok {
			// An add-on whose name is not known may be the vpc-cni, configured as it says.
			if unnamed != "" && cv.Known() {
				cv = model.UnknownString(unnamed + ", so whether it is vpc-cni, replacing the one eksctl creates, is not known")
			}
			cv.Loc = c.loc(key)
			addons = append(addons, model.Addon{Name: vpcCNI, ConfigurationValues: cv, Loc: c.loc(key)})
		}
	}
	cl.Addons = addons
	cl.Parts = cl.Parts.Add(model.PartAddons)
}

// defaultAddons says whether eksctl creates its default add-ons, and so the vpc-cni: the
// configuration values of that add-on, or unknown when whether it is created is not known.
func (c *config) defaultAddons() (model.String, bool) {
	disabled, present, ok, why := boolValue(get(c.root, "addonsConfig", "disableDefaultAddons"), "addonsConfig.disableDefaultAddons")
	switch {
	case !ok:
		return model.String{Origin: model.OriginUnknown, Detail: "whether eksctl creates vpc-cni as an EKS add-on is not known: " + why}, true
	case present && disabled:
		return model.String{}, false
	}
	// With Auto Mode, the default add-ons eksctl creates do not include vpc-cni.
	auto, _, ok, why := boolValue(get(c.root, "autoModeConfig", "enabled"), "autoModeConfig.enabled")
	switch {
	case !ok:
		return model.String{Origin: model.OriginUnknown, Detail: "whether eksctl creates vpc-cni as an EKS add-on is not known: " + why}, true
	case auto:
		return model.String{}, false
	}
	return model.DefaultString("", defaultVPCCNI), true
}

// addon reads one entry of addons. An entry without a name is left out (eksctl rejects it); one whose
// name is not known is left out with why, which is also a note of the cluster.
func (c *config) addon(e *yaml.Node, path string) (model.Addon, string) {
	if e == nil || e.Kind != yaml.MappingNode {
		return model.Addon{}, ""
	}
	loc := c.loc(e)
	name, present, why := c.text(get(e, "name"), path+".name")
	if why != "" {
		c.cluster.Notes = append(c.cluster.Notes, fmt.Sprintf("%s is not read: %s", path, why))
		return model.Addon{}, why
	}
	if !present || name == "" {
		return model.Addon{}, ""
	}
	a := model.Addon{Name: name, Loc: loc}
	if v, _, why := c.text(get(e, "version"), path+".version"); why == "" {
		a.Version = v
	}
	field := path + ".configurationValues"
	cvKey := getKey(e, "configurationValues")
	cv, present, why := c.text(get(e, "configurationValues"), field)
	switch {
	case why != "":
		a.ConfigurationValues = model.String{Origin: model.OriginUnknown, Loc: c.loc(cvKey), Detail: why}
	case !present:
		a.ConfigurationValues = model.DefaultString("", noAddonConf)
		a.ConfigurationValues.Loc = c.loc(cvKey)
	default:
		a.ConfigurationValues = model.String{Value: cv, Origin: model.OriginExplicit, Loc: c.loc(cvKey)}
	}
	return a, ""
}

// list is stringList, read once per node: aliases let every node group name one long list, which
// is then shared rather than built again. A list that cannot be read is named by the first field
// that met it.
func (c *config) list(n *yaml.Node, field string) ([]string, string) {
	if r, ok := c.lists[n]; ok {
		return r.values, r.why
	}
	values, why := stringList(n, field)
	if c.lists == nil {
		c.lists = map[*yaml.Node]listResult{}
	}
	c.lists[n] = listResult{values, why}
	return values, why
}

type listResult struct {
	values []string
	why    string
}

// limit records that a document holds more than eksguard reads.
func (c *config) limit(n *yaml.Node, format string, a ...any) {
	c.problem(n, format, a...)
	c.problems[len(c.problems)-1].Code = finding.ProblemLimit
}
