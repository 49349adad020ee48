package emulator

import (
	"encoding/xml"
	"fmt"
	"net/http"
	"net/url"
	"path"
	"sort"
	"strconv"
	"strings"
)

const ec2Namespace = "http://ec2.amazonaws.com/doc/2016-11-15/"

type ec2ErrorResponse struct {
	XMLName   xml.Name `xml:"Response"`
	Code      string   `xml:"Errors>Error>Code"`
	Message   string   `xml:"Errors>Error>Message"`
	RequestID string   `xml:"RequestID"`
}

func (s *Server) ec2Error(w http.ResponseWriter, c *call, status int, code, msg string) {
	writeXML(w, c, status, ec2ErrorResponse{Code: code, Message: msg, RequestID: c.reqID})
}

func (s *Server) serveEC2(w *recorder, c *call) {
	acct := s.callerAccount(c.akid)
	reg := acct.region(c.region)
	if !reg.enabled {
		s.ec2Error(w, c, http.StatusUnauthorized, "AuthFailure", "AWS was not able to validate the provided access credentials")
		return
	}
	if denied(acct, reg, c) {
		principal, _ := s.principal(c.akid)
		s.ec2Error(w, c, http.StatusForbidden, "UnauthorizedOperation", "You are not authorized to perform this operation. "+denyMessage(principal, c.action(), ""))
		return
	}
	switch c.op {
	case "DescribeRegions":
		s.describeRegions(w, c, acct)
	case "DescribeVpcs":
		s.describeVpcs(w, c, reg)
	case "DescribeVpcAttribute":
		s.describeVpcAttribute(w, c, reg)
	case "DescribeSecurityGroups":
		s.describeSecurityGroups(w, c, reg)
	case "DescribeDhcpOptions":
		s.describeDhcpOptions(w, c, reg)
	case "DescribeSubnets":
		s.describeSubnets(w, c, reg)
	case "DescribeRouteTables":
		s.describeRouteTables(w, c, reg)
	case "DescribeInstances":
		s.describeInstances(w, c, reg)
	default:
		s.ec2Error(w, c, http.StatusBadRequest, "InvalidAction", fmt.Sprintf("The action %s is not valid for this web service.", c.op))
	}
}

// formList reads an ec2query list (Prefix.1, Prefix.2, ...) in index order.
func formList(form url.Values, prefix string) []string {
	type item struct {
		n int
		v string
	}
	var items []item
	for k, vs := range form {
		rest, ok := strings.CutPrefix(k, prefix+".")
		if !ok {
			continue
		}
		if n, err := strconv.Atoi(rest); err == nil && len(vs) > 0 {
			items = append(items, item{n, vs[0]})
		}
	}
	sort.Slice(items, func(i, j int) bool { return items[i].n < items[j].n })
	out := make([]string, len(items))
	for i, it := range items {
		out[i] = it.v
	}
	return out
}

// filters reads Filter.N.Name / Filter.N.Value.M into name -> values.
func filters(form url.Values) map[string][]string {
	names := map[string]string{}
	values := map[string][]string{}
	for k, vs := range form {
		rest, ok := strings.CutPrefix(k, "Filter.")
		if !ok || len(vs) == 0 {
			continue
		}
		n, field, _ := strings.Cut(rest, ".")
		switch {
		case field == "Name":
			names[n] = vs[0]
		case strings.HasPrefix(field, "Value."):
			values[n] = append(values[n], vs[0])
		}
	}
	out := map[string][]string{}
	for n, name := range names {
		out[name] = append(out[name], values[n]...)
	}
	return out
}

// filterMatch applies EC2 filter semantics: every filter must match, any of
// its values may, and values may use * and ? wildcards. get returns the
// resource's values for a filter name and whether the name is supported;
// unsupported names match nothing, as a typo would on EC2.
func filterMatch(fs map[string][]string, get func(name string) ([]string, bool)) bool {
	for name, want := range fs {
		have, ok := get(name)
		if !ok {
			return false
		}
		if !anyMatch(want, have) {
			return false
		}
	}
	return true
}

func anyMatch(patterns, values []string) bool {
	for _, p := range patterns {
		for _, v := range values {
			if ok, _ := path.Match(p, v); ok || p == v {
				return true
			}
		}
	}
	return false
}

func tagFilter(name string, tags map[string]string) ([]string, bool) {
	if name == "tag-key" {
		return sortedKeys(tags), true
	}
	if key, ok := strings.CutPrefix(name, "tag:"); ok {
		if v, ok := tags[key]; ok {
			return []string{v}, true
		}
		return nil, true
	}
	return nil, false
}

type ec2Tag struct {
	Key   string `xml:"key"`
	Value string `xml:"value"`
}

type ec2TagSet struct {
	Items []ec2Tag `xml:"item"`
}

func tagSet(tags map[string]string) ec2TagSet {
	set := ec2TagSet{Items: []ec2Tag{}}
	for _, k := range sortedKeys(tags) {
		set.Items = append(set.Items, ec2Tag{k, tags[k]})
	}
	return set
}

type ec2Region struct {
	RegionName     string `xml:"regionName"`
	RegionEndpoint string `xml:"regionEndpoint"`
	OptInStatus    string `xml:"optInStatus"`
}

type describeRegionsResponse struct {
	XMLName   xml.Name `xml:"DescribeRegionsResponse"`
	Xmlns     string   `xml:"xmlns,attr"`
	RequestID string   `xml:"requestId"`
	Regions   struct {
		Items []ec2Region `xml:"item"`
	} `xml:"regionInfo"`
}

// describeRegions lists the account's enabled regions; AllRegions=true adds
// the disabled ones with optInStatus not-opted-in. An account that declares
// no regions has the default ones.
func (s *Server) describeRegions(w http.ResponseWriter, c *call, acct *account) {
	all := strings.EqualFold(c.form.Get("AllRegions"), "true")
	names := formList(c.form, "RegionName")
	fs := filters(c.form)
	type entry struct {
		name    string
		enabled bool
	}
	var list []entry
	if len(acct.regionOrder) == 0 {
		for _, n := range DefaultRegions {
			list = append(list, entry{n, true})
		}
	}
	for _, r := range acct.regionOrder {
		list = append(list, entry{r.name, r.enabled})
	}
	out := describeRegionsResponse{Xmlns: ec2Namespace, RequestID: c.reqID}
	out.Regions.Items = []ec2Region{}
	for _, e := range list {
		status := "opt-in-not-required"
		switch {
		case !e.enabled:
			status = "not-opted-in"
		case optInRegions[e.name]:
			status = "opted-in"
		}
		if (!e.enabled && !all) || (len(names) > 0 && !contains(names, e.name)) {
			continue
		}
		reg := ec2Region{RegionName: e.name, RegionEndpoint: "ec2." + e.name + ".amazonaws.com", OptInStatus: status}
		if !filterMatch(fs, func(n string) ([]string, bool) {
			switch n {
			case "region-name":
				return []string{reg.RegionName}, true
			case "endpoint":
				return []string{reg.RegionEndpoint}, true
			case "opt-in-status":
				return []string{reg.OptInStatus}, true
			}
			return nil, false
		}) {
			continue
		}
		out.Regions.Items = append(out.Regions.Items, reg)
	}
	writeXML(w, c, http.StatusOK, out)
}

type ec2Vpc struct {
	VpcID                   string `xml:"vpcId"`
	OwnerID                 string `xml:"ownerId"`
	State                   string `xml:"state"`
	CidrBlock               string `xml:"cidrBlock"`
	CidrBlockAssociationSet struct {
		Items []ec2CidrAssociation `xml:"item"`
	} `xml:"cidrBlockAssociationSet"`
	DhcpOptionsID   string    `xml:"dhcpOptionsId"`
	InstanceTenancy string    `xml:"instanceTenancy"`
	IsDefault       bool      `xml:"isDefault"`
	TagSet          ec2TagSet `xml:"tagSet"`
}

type ec2CidrAssociation struct {
	AssociationID string `xml:"associationId"`
	CidrBlock     string `xml:"cidrBlock"`
	State         string `xml:"cidrBlockState>state"`
}

type describeVpcsResponse struct {
	XMLName   xml.Name `xml:"DescribeVpcsResponse"`
	Xmlns     string   `xml:"xmlns,attr"`
	RequestID string   `xml:"requestId"`
	VpcSet    struct {
		Items []ec2Vpc `xml:"item"`
	} `xml:"vpcSet"`
}

func (s *Server) describeVpcs(w http.ResponseWriter, c *call, reg *region) {
	ids := formList(c.form, "VpcId")
	for _, id := range ids {
		if reg.vpcByID[id] == nil {
			s.ec2Error(w, c, http.StatusBadRequest, "InvalidVpcID.NotFound", fmt.Sprintf("The vpc ID '%s' does not exist", id))
			return
		}
	}
	fs := filters(c.form)
	out := describeVpcsResponse{Xmlns: ec2Namespace, RequestID: c.reqID}
	out.VpcSet.Items = []ec2Vpc{}
	for _, v := range reg.vpcs {
		if len(ids) > 0 && !contains(ids, v.VpcID) {
			continue
		}
		if !filterMatch(fs, func(n string) ([]string, bool) {
			switch n {
			case "vpc-id":
				return []string{v.VpcID}, true
			case "cidr", "cidr-block-association.cidr-block":
				return []string{v.CidrBlock}, true
			case "dhcp-options-id":
				return []string{v.DhcpOptionsID}, true
			case "is-default":
				return []string{strconv.FormatBool(v.IsDefault)}, true
			case "state":
				return []string{"available"}, true
			case "owner-id":
				return []string{reg.acct.id}, true
			}
			return tagFilter(n, v.Tags)
		}) {
			continue
		}
		item := ec2Vpc{VpcID: v.VpcID, OwnerID: reg.acct.id, State: "available", CidrBlock: v.CidrBlock,
			DhcpOptionsID: v.DhcpOptionsID, InstanceTenancy: "default", IsDefault: v.IsDefault, TagSet: tagSet(v.Tags)}
		item.CidrBlockAssociationSet.Items = []ec2CidrAssociation{{
			AssociationID: "vpc-cidr-assoc-" + shortHex(digest("assoc", v.VpcID), 17), CidrBlock: v.CidrBlock, State: "associated"}}
		out.VpcSet.Items = append(out.VpcSet.Items, item)
	}
	writeXML(w, c, http.StatusOK, out)
}

type ec2BoolValue struct {
	Value bool `xml:"value"`
}

type describeVpcAttributeResponse struct {
	XMLName                          xml.Name      `xml:"DescribeVpcAttributeResponse"`
	Xmlns                            string        `xml:"xmlns,attr"`
	RequestID                        string        `xml:"requestId"`
	VpcID                            string        `xml:"vpcId"`
	EnableDNSSupport                 *ec2BoolValue `xml:"enableDnsSupport,omitempty"`
	EnableDNSHostnames               *ec2BoolValue `xml:"enableDnsHostnames,omitempty"`
	EnableNetworkAddressUsageMetrics *ec2BoolValue `xml:"enableNetworkAddressUsageMetrics,omitempty"`
}

// describeVpcAttribute answers exactly one attribute per call, as EC2 does (TD-29).
func (s *Server) describeVpcAttribute(w http.ResponseWriter, c *call, reg *region) {
	id := c.form.Get("VpcId")
	attrs := c.form["Attribute"]
	switch {
	case id == "":
		s.ec2Error(w, c, http.StatusBadRequest, "MissingParameter", "The request must contain the parameter vpcId")
		return
	case len(attrs) == 0:
		s.ec2Error(w, c, http.StatusBadRequest, "MissingParameter", "The request must contain the parameter attribute")
		return
	case len(attrs) > 1:
		s.ec2Error(w, c, http.StatusBadRequest, "InvalidParameterCombination", "Only one attribute can be described per request")
		return
	}
	v := reg.vpcByID[id]
	if v == nil {
		s.ec2Error(w, c, http.StatusBadRequest, "InvalidVpcID.NotFound", fmt.Sprintf("The vpc ID '%s' does not exist", id))
		return
	}
	out := describeVpcAttributeResponse{Xmlns: ec2Namespace, RequestID: c.reqID, VpcID: id}
	switch attrs[0] {
	case "enableDnsSupport":
		out.EnableDNSSupport = &ec2BoolValue{*v.EnableDNSSupport}
	case "enableDnsHostnames":
		out.EnableDNSHostnames = &ec2BoolValue{*v.EnableDNSHostnames}
	case "enableNetworkAddressUsageMetrics":
		out.EnableNetworkAddressUsageMetrics = &ec2BoolValue{v.EnableNetworkAddressUsageMetrics}
	default:
		s.ec2Error(w, c, http.StatusBadRequest, "InvalidParameterValue", fmt.Sprintf("Value (%s) for parameter attribute is invalid. Unknown attribute.", attrs[0]))
		return
	}
	writeXML(w, c, http.StatusOK, out)
}

type ec2Permission struct {
	IPProtocol string `xml:"ipProtocol"`
	FromPort   *int32 `xml:"fromPort,omitempty"`
	ToPort     *int32 `xml:"toPort,omitempty"`
	Groups     struct {
		Items []ec2GroupPair `xml:"item"`
	} `xml:"groups"`
	IPRanges struct {
		Items []ec2IPRange `xml:"item"`
	} `xml:"ipRanges"`
	IPv6Ranges struct {
		Items []ec2IPv6Range `xml:"item"`
	} `xml:"ipv6Ranges"`
	PrefixListIDs struct {
		Items []ec2PrefixList `xml:"item"`
	} `xml:"prefixListIds"`
}

type ec2GroupPair struct {
	UserID      string `xml:"userId"`
	GroupID     string `xml:"groupId"`
	Description string `xml:"description,omitempty"`
}

type ec2IPRange struct {
	CidrIP      string `xml:"cidrIp"`
	Description string `xml:"description,omitempty"`
}

type ec2IPv6Range struct {
	CidrIPv6    string `xml:"cidrIpv6"`
	Description string `xml:"description,omitempty"`
}

type ec2PrefixList struct {
	PrefixListID string `xml:"prefixListId"`
	Description  string `xml:"description,omitempty"`
}

type ec2SecurityGroup struct {
	OwnerID          string `xml:"ownerId"`
	GroupID          string `xml:"groupId"`
	GroupName        string `xml:"groupName"`
	GroupDescription string `xml:"groupDescription"`
	VpcID            string `xml:"vpcId"`
	SecurityGroupArn string `xml:"securityGroupArn"`
	IPPermissions    struct {
		Items []ec2Permission `xml:"item"`
	} `xml:"ipPermissions"`
	IPPermissionsEgress struct {
		Items []ec2Permission `xml:"item"`
	} `xml:"ipPermissionsEgress"`
	TagSet ec2TagSet `xml:"tagSet"`
}

type describeSecurityGroupsResponse struct {
	XMLName   xml.Name `xml:"DescribeSecurityGroupsResponse"`
	Xmlns     string   `xml:"xmlns,attr"`
	RequestID string   `xml:"requestId"`
	Groups    struct {
		Items []ec2SecurityGroup `xml:"item"`
	} `xml:"securityGroupInfo"`
}

func (s *Server) describeSecurityGroups(w http.ResponseWriter, c *call, reg *region) {
	ids := formList(c.form, "GroupId")
	for _, id := range ids {
		if reg.sgByID[id] == nil {
			s.ec2Error(w, c, http.StatusBadRequest, "InvalidGroup.NotFound", fmt.Sprintf("The security group '%s' does not exist", id))
			return
		}
	}
	names := formList(c.form, "GroupName")
	for _, n := range names {
		found := false
		for _, g := range reg.sgs {
			found = found || g.GroupName == n
		}
		if !found {
			s.ec2Error(w, c, http.StatusBadRequest, "InvalidGroup.NotFound", fmt.Sprintf("The security group '%s' does not exist", n))
			return
		}
	}
	fs := filters(c.form)
	out := describeSecurityGroupsResponse{Xmlns: ec2Namespace, RequestID: c.reqID}
	out.Groups.Items = []ec2SecurityGroup{}
	for _, g := range reg.sgs {
		if (len(ids) > 0 && !contains(ids, g.GroupID)) || (len(names) > 0 && !contains(names, g.GroupName)) {
			continue
		}
		if !filterMatch(fs, func(n string) ([]string, bool) {
			switch n {
			case "group-id":
				return []string{g.GroupID}, true
			case "group-name":
				return []string{g.GroupName}, true
			case "vpc-id":
				return []string{g.VpcID}, true
			case "description":
				return []string{g.Description}, true
			case "owner-id":
				return []string{reg.acct.id}, true
			}
			return tagFilter(n, g.Tags)
		}) {
			continue
		}
		item := ec2SecurityGroup{OwnerID: reg.acct.id, GroupID: g.GroupID, GroupName: g.GroupName, GroupDescription: g.Description,
			VpcID: g.VpcID, SecurityGroupArn: fmt.Sprintf("arn:aws:ec2:%s:%s:security-group/%s", reg.name, reg.acct.id, g.GroupID), TagSet: tagSet(g.Tags)}
		item.IPPermissions.Items = ec2Permissions(g.IPPermissions, reg.acct.id)
		item.IPPermissionsEgress.Items = ec2Permissions(g.IPPermissionsEgress, reg.acct.id)
		out.Groups.Items = append(out.Groups.Items, item)
	}
	writeXML(w, c, http.StatusOK, out)
}

func ec2Permissions(perms []IPPermission, owner string) []ec2Permission {
	out := make([]ec2Permission, 0, len(perms))
	for _, p := range perms {
		e := ec2Permission{IPProtocol: p.IPProtocol}
		if e.IPProtocol == "all" {
			e.IPProtocol = "-1"
		}
		if e.IPProtocol != "-1" {
			e.FromPort, e.ToPort = p.FromPort, p.ToPort
		}
		e.Groups.Items = []ec2GroupPair{}
		for _, g := range p.UserIDGroupPairs {
			uid := g.UserID
			if uid == "" {
				uid = owner
			}
			e.Groups.Items = append(e.Groups.Items, ec2GroupPair{UserID: uid, GroupID: g.GroupID, Description: g.Description})
		}
		e.IPRanges.Items = []ec2IPRange{}
		for _, r := range p.IPRanges {
			e.IPRanges.Items = append(e.IPRanges.Items, ec2IPRange(r))
		}
		e.IPv6Ranges.Items = []ec2IPv6Range{}
		for _, r := range p.IPv6Ranges {
			e.IPv6Ranges.Items = append(e.IPv6Ranges.Items, ec2IPv6Range(r))
		}
		e.PrefixListIDs.Items = []ec2PrefixList{}
		for _, r := range p.PrefixListIDs {
			e.PrefixListIDs.Items = append(e.PrefixListIDs.Items, ec2PrefixList(r))
		}
		out = append(out, e)
	}
	return out
}

type ec2DhcpValue struct {
	Value string `xml:"value"`
}

type ec2DhcpConfiguration struct {
	Key      string `xml:"key"`
	ValueSet struct {
		Items []ec2DhcpValue `xml:"item"`
	} `xml:"valueSet"`
}

type ec2DhcpOptions struct {
	DhcpOptionsID        string `xml:"dhcpOptionsId"`
	OwnerID              string `xml:"ownerId"`
	DhcpConfigurationSet struct {
		Items []ec2DhcpConfiguration `xml:"item"`
	} `xml:"dhcpConfigurationSet"`
	TagSet ec2TagSet `xml:"tagSet"`
}

type describeDhcpOptionsResponse struct {
	XMLName   xml.Name `xml:"DescribeDhcpOptionsResponse"`
	Xmlns     string   `xml:"xmlns,attr"`
	RequestID string   `xml:"requestId"`
	Set       struct {
		Items []ec2DhcpOptions `xml:"item"`
	} `xml:"dhcpOptionsSet"`
}

func (s *Server) describeDhcpOptions(w http.ResponseWriter, c *call, reg *region) {
	ids := formList(c.form, "DhcpOptionsId")
	for _, id := range ids {
		if reg.doptByID[id] == nil {
			s.ec2Error(w, c, http.StatusBadRequest, "InvalidDhcpOptionID.NotFound", fmt.Sprintf("The dhcpOption ID '%s' does not exist", id))
			return
		}
	}
	fs := filters(c.form)
	out := describeDhcpOptionsResponse{Xmlns: ec2Namespace, RequestID: c.reqID}
	out.Set.Items = []ec2DhcpOptions{}
	for _, d := range reg.dopts {
		if len(ids) > 0 && !contains(ids, d.DhcpOptionsID) {
			continue
		}
		domain := d.DomainName
		if domain == "" {
			domain = reg.name + ".compute.internal"
			if reg.name == "us-east-1" {
				domain = "ec2.internal"
			}
		}
		config := []struct {
			key    string
			values []string
		}{{"domain-name", []string{domain}}, {"domain-name-servers", d.DomainNameServers}}
		var keys, values []string
		item := ec2DhcpOptions{DhcpOptionsID: d.DhcpOptionsID, OwnerID: reg.acct.id, TagSet: tagSet(d.Tags)}
		item.DhcpConfigurationSet.Items = []ec2DhcpConfiguration{}
		for _, kv := range config {
			if len(kv.values) == 0 {
				continue
			}
			e := ec2DhcpConfiguration{Key: kv.key}
			for _, v := range kv.values {
				e.ValueSet.Items = append(e.ValueSet.Items, ec2DhcpValue{v})
			}
			keys = append(keys, kv.key)
			values = append(values, kv.values...)
			item.DhcpConfigurationSet.Items = append(item.DhcpConfigurationSet.Items, e)
		}
		if !filterMatch(fs, func(n string) ([]string, bool) {
			switch n {
			case "dhcp-options-id":
				return []string{d.DhcpOptionsID}, true
			case "key":
				return keys, true
			case "value":
				return values, true
			case "owner-id":
				return []string{reg.acct.id}, true
			}
			return tagFilter(n, d.Tags)
		}) {
			continue
		}
		out.Set.Items = append(out.Set.Items, item)
	}
	writeXML(w, c, http.StatusOK, out)
}
