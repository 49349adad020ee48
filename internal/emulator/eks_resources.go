package emulator

import (
	"encoding/json"
	"net/http"
	"slices"
)

func nodegroupNotFound(name string) *apiError {
	e := notFound("No node group found for name: %s.", name)
	e.nodegroup = name
	return e
}

func addonNotFound(name, cluster string) *apiError {
	e := notFound("No addon: %s found in cluster: %s", name, cluster)
	e.addon = name
	return e
}

// listPage serves one page of names under key, paged by maxResults (1..100)
// and nextToken as every EKS list is.
func (s *Server) listPage(w http.ResponseWriter, r *http.Request, c *call, scope, key string, names []string) *apiError {
	q := r.URL.Query()
	max, err := parseMaxResults(q, 100)
	if err != nil {
		return err
	}
	start := 0
	if tok := q.Get("nextToken"); tok != "" {
		var ok bool
		if start, ok = parsePageToken(tok, scope, len(names)); !ok {
			return invalidParameter("The nextToken provided is invalid.")
		}
	}
	end := min(start+max, len(names))
	out := map[string]any{key: names[start:end]}
	if end < len(names) {
		out["nextToken"] = pageToken(scope, end)
	}
	body, _ := json.Marshal(out)
	s.eksJSON(w, c, body)
	return nil
}

func (s *Server) listNodegroups(w http.ResponseWriter, r *http.Request, c *call, reg *region, name string) *apiError {
	cl := reg.visible(name, s.clock.Now())
	if cl == nil {
		return clusterNotFound(name)
	}
	names := make([]string, len(cl.parts.nodegroups))
	for i, ng := range cl.parts.nodegroups {
		names[i] = ng.NodegroupName
	}
	return s.listPage(w, r, c, "nodegroups/"+cl.arn, "nodegroups", names)
}

type issuesView struct {
	Issues []struct{} `json:"issues"`
}

type nodegroupView struct {
	NodegroupName  string            `json:"nodegroupName"`
	NodegroupArn   string            `json:"nodegroupArn"`
	ClusterName    string            `json:"clusterName"`
	Version        string            `json:"version"`
	ReleaseVersion string            `json:"releaseVersion"`
	CreatedAt      epochSeconds      `json:"createdAt"`
	ModifiedAt     epochSeconds      `json:"modifiedAt"`
	Status         string            `json:"status"`
	CapacityType   string            `json:"capacityType"`
	ScalingConfig  *ScalingConfig    `json:"scalingConfig"`
	InstanceTypes  []string          `json:"instanceTypes"`
	Subnets        []string          `json:"subnets"`
	RemoteAccess   *RemoteAccess     `json:"remoteAccess,omitempty"`
	AmiType        string            `json:"amiType"`
	NodeRole       string            `json:"nodeRole"`
	Labels         map[string]string `json:"labels"`
	Resources      struct {
		AutoScalingGroups []struct {
			Name string `json:"name"`
		} `json:"autoScalingGroups"`
		RemoteAccessSecurityGroup string `json:"remoteAccessSecurityGroup,omitempty"`
	} `json:"resources"`
	DiskSize     int32      `json:"diskSize"`
	Health       issuesView `json:"health"`
	UpdateConfig struct {
		MaxUnavailable int `json:"maxUnavailable"`
	} `json:"updateConfig"`
	Tags map[string]string `json:"tags"`
}

func (s *Server) describeNodegroup(w http.ResponseWriter, c *call, reg *region, name, ngName string) *apiError {
	cl := reg.visible(name, s.clock.Now())
	if cl == nil {
		return clusterNotFound(name)
	}
	ng := cl.parts.nodegroupByID[ngName]
	if ng == nil {
		return nodegroupNotFound(ngName)
	}
	v := nodegroupView{NodegroupName: ng.NodegroupName, NodegroupArn: ng.arn, ClusterName: cl.name, Version: ng.Version,
		ReleaseVersion: ng.ReleaseVersion, CreatedAt: epochSeconds(ng.created), ModifiedAt: epochSeconds(ng.created),
		Status: ng.Status, CapacityType: ng.CapacityType, ScalingConfig: ng.ScalingConfig, InstanceTypes: ng.InstanceTypes,
		Subnets: ng.Subnets, RemoteAccess: ng.RemoteAccess, AmiType: ng.AmiType, NodeRole: ng.NodeRole, Labels: ng.Labels,
		DiskSize: ng.diskSize, Health: issuesView{Issues: []struct{}{}}, Tags: ng.Tags}
	v.Resources.AutoScalingGroups = append(v.Resources.AutoScalingGroups, struct {
		Name string `json:"name"`
	}{ng.asg})
	v.Resources.RemoteAccessSecurityGroup = ng.remoteSG
	v.UpdateConfig.MaxUnavailable = 1
	body, _ := json.Marshal(struct {
		Nodegroup nodegroupView `json:"nodegroup"`
	}{v})
	s.eksJSON(w, c, body)
	return nil
}

func (s *Server) listAddons(w http.ResponseWriter, r *http.Request, c *call, reg *region, name string) *apiError {
	cl := reg.visible(name, s.clock.Now())
	if cl == nil {
		return clusterNotFound(name)
	}
	names := make([]string, len(cl.parts.addons))
	for i, a := range cl.parts.addons {
		names[i] = a.AddonName
	}
	return s.listPage(w, r, c, "addons/"+cl.arn, "addons", names)
}

type addonView struct {
	AddonName             string            `json:"addonName"`
	ClusterName           string            `json:"clusterName"`
	Status                string            `json:"status"`
	AddonVersion          string            `json:"addonVersion"`
	Health                issuesView        `json:"health"`
	AddonArn              string            `json:"addonArn"`
	CreatedAt             epochSeconds      `json:"createdAt"`
	ModifiedAt            epochSeconds      `json:"modifiedAt"`
	ServiceAccountRoleArn string            `json:"serviceAccountRoleArn,omitempty"`
	Tags                  map[string]string `json:"tags"`
	ConfigurationValues   string            `json:"configurationValues,omitempty"`
}

func (s *Server) describeAddon(w http.ResponseWriter, c *call, reg *region, name, addonName string) *apiError {
	cl := reg.visible(name, s.clock.Now())
	if cl == nil {
		return clusterNotFound(name)
	}
	a := cl.parts.addonByName[addonName]
	if a == nil {
		return addonNotFound(addonName, name)
	}
	body, _ := json.Marshal(struct {
		Addon addonView `json:"addon"`
	}{addonView{AddonName: a.AddonName, ClusterName: cl.name, Status: a.Status, AddonVersion: a.AddonVersion,
		Health: issuesView{Issues: []struct{}{}}, AddonArn: a.arn, CreatedAt: epochSeconds(a.created), ModifiedAt: epochSeconds(a.created),
		ServiceAccountRoleArn: a.ServiceAccountRoleArn, Tags: a.Tags, ConfigurationValues: a.ConfigurationValues}})
	s.eksJSON(w, c, body)
	return nil
}

// accessEntriesAllowed answers as EKS does for a cluster whose authentication
// mode has no API: the mode is read now, so an AccessConfigUpdate that has
// succeeded opens the access entry calls.
func (s *Server) accessEntriesAllowed(cl *cluster) *apiError {
	cl.mu.Lock()
	cl.settle(s.clock.Now())
	mode := ""
	if ac := cl.doc.AccessConfig; ac != nil {
		mode = ac.AuthenticationMode
	}
	cl.mu.Unlock()
	if mode != "API" && mode != "API_AND_CONFIG_MAP" {
		return invalidRequest("The cluster's authentication mode must be set to one of [API, API_AND_CONFIG_MAP] to perform this operation.")
	}
	return nil
}

func (s *Server) listAccessEntries(w http.ResponseWriter, r *http.Request, c *call, reg *region, name string) *apiError {
	cl := reg.visible(name, s.clock.Now())
	if cl == nil {
		return clusterNotFound(name)
	}
	if err := s.accessEntriesAllowed(cl); err != nil {
		return err
	}
	names := make([]string, 0, len(cl.parts.entries))
	// The emulator associates no access policies, so a filter on one
	// matches nothing.
	policy := r.URL.Query().Get("associatedPolicyArn")
	for _, e := range cl.parts.entries {
		if policy == "" {
			names = append(names, e.PrincipalArn)
		}
	}
	return s.listPage(w, r, c, "access-entries/"+cl.arn+"/"+policy, "accessEntries", names)
}

type accessEntryView struct {
	ClusterName      string            `json:"clusterName"`
	PrincipalArn     string            `json:"principalArn"`
	KubernetesGroups []string          `json:"kubernetesGroups"`
	AccessEntryArn   string            `json:"accessEntryArn"`
	CreatedAt        epochSeconds      `json:"createdAt"`
	ModifiedAt       epochSeconds      `json:"modifiedAt"`
	Tags             map[string]string `json:"tags"`
	Username         string            `json:"username"`
	Type             string            `json:"type"`
}

func (s *Server) describeAccessEntry(w http.ResponseWriter, c *call, reg *region, name, principal string) *apiError {
	cl := reg.visible(name, s.clock.Now())
	if cl == nil {
		return clusterNotFound(name)
	}
	if err := s.accessEntriesAllowed(cl); err != nil {
		return err
	}
	e := cl.parts.entryByArn[principal]
	if e == nil {
		return notFound("The specified principalArn could not be found. You can view your available access entries with 'list-access-entries'.")
	}
	body, _ := json.Marshal(struct {
		AccessEntry accessEntryView `json:"accessEntry"`
	}{accessEntryView{ClusterName: cl.name, PrincipalArn: e.PrincipalArn, KubernetesGroups: slices.Clone(e.KubernetesGroups),
		AccessEntryArn: e.arn, CreatedAt: epochSeconds(e.created), ModifiedAt: epochSeconds(e.created), Tags: e.Tags,
		Username: e.Username, Type: e.Type}})
	s.eksJSON(w, c, body)
	return nil
}
