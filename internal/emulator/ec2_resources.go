package emulator

import (
	"encoding/xml"
	"fmt"
	"net/http"
	"net/netip"
	"strconv"
	"strings"
	"time"
)

// ec2Fault is an EC2 error on its way to the wire.
type ec2Fault struct {
	code, message string
}

// ec2Page applies MaxResults (lo..hi) and NextToken to n items. Without
// MaxResults everything comes in one page, as EC2 answers small accounts.
func ec2Page(c *call, scope string, n, lo, hi int) (start, end int, next string, f *ec2Fault) {
	size := n
	if raw := c.form.Get("MaxResults"); raw != "" {
		v, err := strconv.Atoi(raw)
		if err != nil || v < lo || v > hi {
			return 0, 0, "", &ec2Fault{"InvalidParameterValue", fmt.Sprintf("Value ( %s ) for parameter maxResults is invalid. Expecting a value between %d and %d.", raw, lo, hi)}
		}
		size = v
	}
	if tok := c.form.Get("NextToken"); tok != "" {
		var ok bool
		if start, ok = parsePageToken(tok, scope, n); !ok {
			return 0, 0, "", &ec2Fault{"InvalidPaginationToken", fmt.Sprintf("Invalid pagination token: %s", tok)}
		}
	}
	end = min(start+size, n)
	if end < n {
		next = pageToken(scope, end)
	}
	return start, end, next, nil
}

func filterScope(c *call, idParam string) string {
	return fmt.Sprintf("%q/%q", formList(c.form, idParam), filters(c.form))
}

type ec2Ipv6CidrAssociation struct {
	AssociationID string `xml:"associationId"`
	Ipv6CidrBlock string `xml:"ipv6CidrBlock"`
	State         string `xml:"ipv6CidrBlockState>state"`
}

type ec2Subnet struct {
	SubnetID                    string `xml:"subnetId"`
	SubnetArn                   string `xml:"subnetArn"`
	State                       string `xml:"state"`
	OwnerID                     string `xml:"ownerId"`
	VpcID                       string `xml:"vpcId"`
	CidrBlock                   string `xml:"cidrBlock"`
	Ipv6CidrBlockAssociationSet struct {
		Items []ec2Ipv6CidrAssociation `xml:"item"`
	} `xml:"ipv6CidrBlockAssociationSet"`
	AvailableIPAddressCount     int       `xml:"availableIpAddressCount"`
	AvailabilityZone            string    `xml:"availabilityZone"`
	DefaultForAz                bool      `xml:"defaultForAz"`
	MapPublicIPOnLaunch         bool      `xml:"mapPublicIpOnLaunch"`
	MapCustomerOwnedIPOnLaunch  bool      `xml:"mapCustomerOwnedIpOnLaunch"`
	AssignIpv6AddressOnCreation bool      `xml:"assignIpv6AddressOnCreation"`
	EnableDNS64                 bool      `xml:"enableDns64"`
	Ipv6Native                  bool      `xml:"ipv6Native"`
	TagSet                      ec2TagSet `xml:"tagSet"`
}

type describeSubnetsResponse struct {
	XMLName   xml.Name `xml:"DescribeSubnetsResponse"`
	Xmlns     string   `xml:"xmlns,attr"`
	RequestID string   `xml:"requestId"`
	SubnetSet struct {
		Items []ec2Subnet `xml:"item"`
	} `xml:"subnetSet"`
	NextToken string `xml:"nextToken,omitempty"`
}

func (s *Server) describeSubnets(w http.ResponseWriter, c *call, reg *region) {
	ids := formList(c.form, "SubnetId")
	for _, id := range ids {
		if reg.subnetByID[id] == nil {
			s.ec2Error(w, c, http.StatusBadRequest, "InvalidSubnetID.NotFound", fmt.Sprintf("The subnet ID '%s' does not exist", id))
			return
		}
	}
	fs := filters(c.form)
	var list []*Subnet
	for _, sn := range reg.subnets {
		if len(ids) > 0 && !contains(ids, sn.SubnetID) {
			continue
		}
		if !filterMatch(fs, func(n string) ([]string, bool) {
			switch n {
			case "subnet-id":
				return []string{sn.SubnetID}, true
			case "vpc-id":
				return []string{sn.VpcID}, true
			case "cidr-block", "cidr", "cidrBlock":
				return []string{sn.CidrBlock}, true
			case "ipv6-cidr-block-association.ipv6-cidr-block":
				return []string{sn.Ipv6CidrBlock}, true
			case "availability-zone", "availabilityZone":
				return []string{sn.AvailabilityZone}, true
			case "map-public-ip-on-launch":
				return []string{strconv.FormatBool(sn.MapPublicIPOnLaunch)}, true
			case "default-for-az", "defaultForAz":
				return []string{"false"}, true
			case "state":
				return []string{"available"}, true
			case "owner-id":
				return []string{reg.acct.id}, true
			case "subnet-arn":
				return []string{subnetArn(reg, sn.SubnetID)}, true
			}
			return tagFilter(n, sn.Tags)
		}) {
			continue
		}
		list = append(list, sn)
	}
	start, end, next, f := ec2Page(c, "subnets/"+reg.acct.id+"/"+reg.name+"/"+filterScope(c, "SubnetId"), len(list), 5, 1000)
	if f != nil {
		s.ec2Error(w, c, http.StatusBadRequest, f.code, f.message)
		return
	}
	out := describeSubnetsResponse{Xmlns: ec2Namespace, RequestID: c.reqID, NextToken: next}
	out.SubnetSet.Items = []ec2Subnet{}
	for _, sn := range list[start:end] {
		item := ec2Subnet{SubnetID: sn.SubnetID, SubnetArn: subnetArn(reg, sn.SubnetID), State: "available", OwnerID: reg.acct.id,
			VpcID: sn.VpcID, CidrBlock: sn.CidrBlock, AvailableIPAddressCount: freeAddresses(sn.CidrBlock),
			AvailabilityZone: sn.AvailabilityZone, MapPublicIPOnLaunch: sn.MapPublicIPOnLaunch, TagSet: tagSet(sn.Tags)}
		item.Ipv6CidrBlockAssociationSet.Items = []ec2Ipv6CidrAssociation{}
		if sn.Ipv6CidrBlock != "" {
			item.Ipv6CidrBlockAssociationSet.Items = append(item.Ipv6CidrBlockAssociationSet.Items, ec2Ipv6CidrAssociation{
				AssociationID: "subnet-cidr-assoc-" + shortHex(digest("subnet-v6", sn.SubnetID), 17), Ipv6CidrBlock: sn.Ipv6CidrBlock, State: "associated"})
		}
		out.SubnetSet.Items = append(out.SubnetSet.Items, item)
	}
	writeXML(w, c, http.StatusOK, out)
}

func subnetArn(reg *region, id string) string {
	return fmt.Sprintf("arn:aws:ec2:%s:%s:subnet/%s", reg.name, reg.acct.id, id)
}

// freeAddresses is a subnet's size less the five addresses AWS keeps.
func freeAddresses(cidr string) int {
	p, err := netip.ParsePrefix(cidr)
	if err != nil || !p.Addr().Is4() {
		return 0
	}
	return max(1<<(32-p.Bits())-5, 0)
}

type ec2Route struct {
	DestinationCidrBlock        string `xml:"destinationCidrBlock,omitempty"`
	DestinationIpv6CidrBlock    string `xml:"destinationIpv6CidrBlock,omitempty"`
	GatewayID                   string `xml:"gatewayId,omitempty"`
	NatGatewayID                string `xml:"natGatewayId,omitempty"`
	EgressOnlyInternetGatewayID string `xml:"egressOnlyInternetGatewayId,omitempty"`
	TransitGatewayID            string `xml:"transitGatewayId,omitempty"`
	VpcPeeringConnectionID      string `xml:"vpcPeeringConnectionId,omitempty"`
	NetworkInterfaceID          string `xml:"networkInterfaceId,omitempty"`
	State                       string `xml:"state"`
	Origin                      string `xml:"origin"`
}

type ec2RouteTableAssociation struct {
	Main                    bool   `xml:"main"`
	RouteTableAssociationID string `xml:"routeTableAssociationId"`
	RouteTableID            string `xml:"routeTableId"`
	SubnetID                string `xml:"subnetId,omitempty"`
	AssociationState        string `xml:"associationState>state"`
}

type ec2RouteTable struct {
	RouteTableID string `xml:"routeTableId"`
	VpcID        string `xml:"vpcId"`
	OwnerID      string `xml:"ownerId"`
	RouteSet     struct {
		Items []ec2Route `xml:"item"`
	} `xml:"routeSet"`
	AssociationSet struct {
		Items []ec2RouteTableAssociation `xml:"item"`
	} `xml:"associationSet"`
	PropagatingVgwSet struct{}  `xml:"propagatingVgwSet"`
	TagSet            ec2TagSet `xml:"tagSet"`
}

type describeRouteTablesResponse struct {
	XMLName       xml.Name `xml:"DescribeRouteTablesResponse"`
	Xmlns         string   `xml:"xmlns,attr"`
	RequestID     string   `xml:"requestId"`
	RouteTableSet struct {
		Items []ec2RouteTable `xml:"item"`
	} `xml:"routeTableSet"`
	NextToken string `xml:"nextToken,omitempty"`
}

func (s *Server) describeRouteTables(w http.ResponseWriter, c *call, reg *region) {
	ids := formList(c.form, "RouteTableId")
	for _, id := range ids {
		found := false
		for _, t := range reg.routeTables {
			found = found || t.id == id
		}
		if !found {
			s.ec2Error(w, c, http.StatusBadRequest, "InvalidRouteTableID.NotFound", fmt.Sprintf("The routeTable ID '%s' does not exist", id))
			return
		}
	}
	fs := filters(c.form)
	var list []*routeTable
	for _, t := range reg.routeTables {
		if len(ids) > 0 && !contains(ids, t.id) {
			continue
		}
		if !filterMatch(fs, func(n string) ([]string, bool) { return t.filterValues(n, reg.acct.id) }) {
			continue
		}
		list = append(list, t)
	}
	start, end, next, f := ec2Page(c, "route-tables/"+reg.acct.id+"/"+reg.name+"/"+filterScope(c, "RouteTableId"), len(list), 5, 100)
	if f != nil {
		s.ec2Error(w, c, http.StatusBadRequest, f.code, f.message)
		return
	}
	out := describeRouteTablesResponse{Xmlns: ec2Namespace, RequestID: c.reqID, NextToken: next}
	out.RouteTableSet.Items = []ec2RouteTable{}
	for _, t := range list[start:end] {
		item := ec2RouteTable{RouteTableID: t.id, VpcID: t.vpcID, OwnerID: reg.acct.id, TagSet: tagSet(t.tags)}
		item.RouteSet.Items = []ec2Route{}
		for i, r := range t.routes {
			origin := "CreateRoute"
			if i == 0 {
				origin = "CreateRouteTable" // the local route
			}
			item.RouteSet.Items = append(item.RouteSet.Items, ec2Route{
				DestinationCidrBlock: r.DestinationCidrBlock, DestinationIpv6CidrBlock: r.DestinationIpv6CidrBlock,
				GatewayID: r.GatewayID, NatGatewayID: r.NatGatewayID, EgressOnlyInternetGatewayID: r.EgressOnlyInternetGatewayID,
				TransitGatewayID: r.TransitGatewayID, VpcPeeringConnectionID: r.VpcPeeringConnectionID, NetworkInterfaceID: r.NetworkInterfaceID,
				State: "active", Origin: origin})
		}
		item.AssociationSet.Items = []ec2RouteTableAssociation{}
		for _, a := range t.associations {
			item.AssociationSet.Items = append(item.AssociationSet.Items, ec2RouteTableAssociation{
				Main: a.main, RouteTableAssociationID: a.id, RouteTableID: t.id, SubnetID: a.subnetID, AssociationState: "associated"})
		}
		out.RouteTableSet.Items = append(out.RouteTableSet.Items, item)
	}
	writeXML(w, c, http.StatusOK, out)
}

// filterValues are a route table's values for a DescribeRouteTables filter.
func (t *routeTable) filterValues(n, owner string) ([]string, bool) {
	var out []string
	switch n {
	case "route-table-id":
		return []string{t.id}, true
	case "vpc-id":
		return []string{t.vpcID}, true
	case "owner-id":
		return []string{owner}, true
	case "association.subnet-id", "association.main", "association.route-table-association-id", "association.route-table-id":
		for _, a := range t.associations {
			switch n {
			case "association.subnet-id":
				if a.subnetID != "" {
					out = append(out, a.subnetID)
				}
			case "association.main":
				out = append(out, strconv.FormatBool(a.main))
			case "association.route-table-association-id":
				out = append(out, a.id)
			default:
				out = append(out, t.id)
			}
		}
		return out, true
	case "route.destination-cidr-block", "route.destination-ipv6-cidr-block", "route.gateway-id", "route.nat-gateway-id",
		"route.egress-only-internet-gateway-id", "route.transit-gateway-id", "route.vpc-peering-connection-id", "route.state", "route.origin":
		for i, r := range t.routes {
			v := map[string]string{
				"route.destination-cidr-block":          r.DestinationCidrBlock,
				"route.destination-ipv6-cidr-block":     r.DestinationIpv6CidrBlock,
				"route.gateway-id":                      r.GatewayID,
				"route.nat-gateway-id":                  r.NatGatewayID,
				"route.egress-only-internet-gateway-id": r.EgressOnlyInternetGatewayID,
				"route.transit-gateway-id":              r.TransitGatewayID,
				"route.vpc-peering-connection-id":       r.VpcPeeringConnectionID,
				"route.state":                           "active",
				"route.origin":                          map[bool]string{true: "CreateRouteTable", false: "CreateRoute"}[i == 0],
			}[n]
			if v != "" {
				out = append(out, v)
			}
		}
		return out, true
	}
	return tagFilter(n, t.tags)
}

var instanceStateCodes = map[string]int{"pending": 0, "running": 16, "shutting-down": 32, "terminated": 48, "stopping": 64, "stopped": 80}

type ec2InstanceNIC struct {
	NetworkInterfaceID string `xml:"networkInterfaceId"`
	SubnetID           string `xml:"subnetId"`
	VpcID              string `xml:"vpcId"`
	OwnerID            string `xml:"ownerId"`
	Status             string `xml:"status"`
	PrivateIPAddress   string `xml:"privateIpAddress"`
	PrivateDNSName     string `xml:"privateDnsName"`
	SourceDestCheck    bool   `xml:"sourceDestCheck"`
	Attachment         struct {
		AttachmentID        string `xml:"attachmentId"`
		DeviceIndex         int    `xml:"deviceIndex"`
		Status              string `xml:"status"`
		DeleteOnTermination bool   `xml:"deleteOnTermination"`
	} `xml:"attachment"`
	Association *struct {
		PublicIP      string `xml:"publicIp"`
		PublicDNSName string `xml:"publicDnsName"`
		IPOwnerID     string `xml:"ipOwnerId"`
	} `xml:"association,omitempty"`
	Ipv6AddressesSet struct {
		Items []ec2Ipv6Address `xml:"item"`
	} `xml:"ipv6AddressesSet"`
	InterfaceType string `xml:"interfaceType"`
}

type ec2Ipv6Address struct {
	Ipv6Address string `xml:"ipv6Address"`
}

type ec2Instance struct {
	InstanceID    string `xml:"instanceId"`
	ImageID       string `xml:"imageId"`
	InstanceState struct {
		Code int    `xml:"code"`
		Name string `xml:"name"`
	} `xml:"instanceState"`
	PrivateDNSName string    `xml:"privateDnsName"`
	DNSName        string    `xml:"dnsName"`
	InstanceType   string    `xml:"instanceType"`
	LaunchTime     time.Time `xml:"launchTime"`
	Placement      struct {
		AvailabilityZone string `xml:"availabilityZone"`
		Tenancy          string `xml:"tenancy"`
	} `xml:"placement"`
	SubnetID           string `xml:"subnetId,omitempty"`
	VpcID              string `xml:"vpcId,omitempty"`
	PrivateIPAddress   string `xml:"privateIpAddress,omitempty"`
	IPAddress          string `xml:"ipAddress,omitempty"`
	IamInstanceProfile *struct {
		Arn string `xml:"arn"`
		ID  string `xml:"id"`
	} `xml:"iamInstanceProfile,omitempty"`
	NetworkInterfaceSet struct {
		Items []ec2InstanceNIC `xml:"item"`
	} `xml:"networkInterfaceSet"`
	Architecture       string    `xml:"architecture"`
	RootDeviceType     string    `xml:"rootDeviceType"`
	RootDeviceName     string    `xml:"rootDeviceName"`
	VirtualizationType string    `xml:"virtualizationType"`
	TagSet             ec2TagSet `xml:"tagSet"`
}

type ec2Reservation struct {
	ReservationID string   `xml:"reservationId"`
	OwnerID       string   `xml:"ownerId"`
	GroupSet      struct{} `xml:"groupSet"`
	InstancesSet  struct {
		Items []ec2Instance `xml:"item"`
	} `xml:"instancesSet"`
}

type describeInstancesResponse struct {
	XMLName        xml.Name `xml:"DescribeInstancesResponse"`
	Xmlns          string   `xml:"xmlns,attr"`
	RequestID      string   `xml:"requestId"`
	ReservationSet struct {
		Items []ec2Reservation `xml:"item"`
	} `xml:"reservationSet"`
	NextToken string `xml:"nextToken,omitempty"`
}

// dnsNames are an instance's private and public host names as EC2 forms
// them; us-east-1 has names of its own.
func dnsNames(region, private, public string) (string, string) {
	p := "ip-" + strings.ReplaceAll(private, ".", "-") + "." + region + ".compute.internal"
	if region == "us-east-1" {
		p = "ip-" + strings.ReplaceAll(private, ".", "-") + ".ec2.internal"
	}
	if private == "" {
		p = ""
	}
	pub := ""
	if public != "" {
		pub = "ec2-" + strings.ReplaceAll(public, ".", "-") + "." + region + ".compute.amazonaws.com"
		if region == "us-east-1" {
			pub = "ec2-" + strings.ReplaceAll(public, ".", "-") + ".compute-1.amazonaws.com"
		}
	}
	return p, pub
}

func (s *Server) describeInstances(w http.ResponseWriter, c *call, reg *region) {
	ids := formList(c.form, "InstanceId")
	if len(ids) > 0 && c.form.Get("MaxResults") != "" {
		s.ec2Error(w, c, http.StatusBadRequest, "InvalidParameterCombination", "The parameter instancesSet cannot be used with the parameter maxResults")
		return
	}
	for _, id := range ids {
		found := false
		for _, in := range reg.instances {
			found = found || in.InstanceID == id
		}
		if !found {
			s.ec2Error(w, c, http.StatusBadRequest, "InvalidInstanceID.NotFound", fmt.Sprintf("The instance ID '%s' does not exist", id))
			return
		}
	}
	fs := filters(c.form)
	var list []*instance
	for _, in := range reg.instances {
		if len(ids) > 0 && !contains(ids, in.InstanceID) {
			continue
		}
		if !filterMatch(fs, func(n string) ([]string, bool) { return in.filterValues(n) }) {
			continue
		}
		list = append(list, in)
	}
	start, end, next, f := ec2Page(c, "instances/"+reg.acct.id+"/"+reg.name+"/"+filterScope(c, "InstanceId"), len(list), 5, 1000)
	if f != nil {
		s.ec2Error(w, c, http.StatusBadRequest, f.code, f.message)
		return
	}
	out := describeInstancesResponse{Xmlns: ec2Namespace, RequestID: c.reqID, NextToken: next}
	out.ReservationSet.Items = []ec2Reservation{}
	for _, in := range list[start:end] {
		res := ec2Reservation{ReservationID: in.reservationID, OwnerID: reg.acct.id}
		res.InstancesSet.Items = []ec2Instance{in.xml(reg)}
		out.ReservationSet.Items = append(out.ReservationSet.Items, res)
	}
	writeXML(w, c, http.StatusOK, out)
}

// live says whether the instance still holds its addresses and interface:
// a terminated instance has given them back.
func (in *instance) live() bool { return in.State != "terminated" }

func (in *instance) filterValues(n string) ([]string, bool) {
	one := func(v string) ([]string, bool) {
		if v == "" {
			return nil, true
		}
		return []string{v}, true
	}
	switch n {
	case "instance-id":
		return one(in.InstanceID)
	case "instance-state-name":
		return one(in.State)
	case "instance-state-code":
		return one(strconv.Itoa(instanceStateCodes[in.State]))
	case "instance-type":
		return one(in.InstanceType)
	case "availability-zone":
		return one(in.az)
	case "vpc-id":
		return one(in.VpcID)
	case "subnet-id":
		return one(in.SubnetID)
	case "private-ip-address":
		if !in.live() {
			return nil, true
		}
		return one(in.PrivateIPAddress)
	case "ip-address":
		if !in.live() {
			return nil, true
		}
		return one(in.PublicIPAddress)
	case "network-interface.ipv6-addresses.ipv6-address":
		if !in.live() {
			return nil, true
		}
		return in.Ipv6Addresses, true
	case "iam-instance-profile.arn":
		if in.IamInstanceProfile == nil {
			return nil, true
		}
		return one(in.IamInstanceProfile.Arn)
	}
	return tagFilter(n, in.Tags)
}

func (in *instance) xml(reg *region) ec2Instance {
	x := ec2Instance{InstanceID: in.InstanceID, ImageID: in.imageID, InstanceType: in.InstanceType, LaunchTime: in.launched,
		SubnetID: in.SubnetID, VpcID: in.VpcID, Architecture: "x86_64", RootDeviceType: "ebs", RootDeviceName: "/dev/xvda",
		VirtualizationType: "hvm", TagSet: tagSet(in.Tags)}
	x.InstanceState.Code, x.InstanceState.Name = instanceStateCodes[in.State], in.State
	x.Placement.AvailabilityZone, x.Placement.Tenancy = in.az, "default"
	if in.IamInstanceProfile != nil {
		x.IamInstanceProfile = &struct {
			Arn string `xml:"arn"`
			ID  string `xml:"id"`
		}{in.IamInstanceProfile.Arn, in.profileID}
	}
	x.NetworkInterfaceSet.Items = []ec2InstanceNIC{}
	if !in.live() {
		return x
	}
	x.PrivateIPAddress, x.IPAddress = in.PrivateIPAddress, in.PublicIPAddress
	x.PrivateDNSName, x.DNSName = dnsNames(reg.name, in.PrivateIPAddress, in.PublicIPAddress)
	nic := ec2InstanceNIC{NetworkInterfaceID: in.eniID, SubnetID: in.SubnetID, VpcID: in.VpcID, OwnerID: reg.acct.id, Status: "in-use",
		PrivateIPAddress: in.PrivateIPAddress, PrivateDNSName: x.PrivateDNSName, SourceDestCheck: true, InterfaceType: "interface"}
	nic.Attachment.AttachmentID = "eni-attach-" + shortHex(digest("eni-attach", in.eniID), 17)
	nic.Attachment.Status, nic.Attachment.DeleteOnTermination = "attached", true
	if in.PublicIPAddress != "" {
		nic.Association = &struct {
			PublicIP      string `xml:"publicIp"`
			PublicDNSName string `xml:"publicDnsName"`
			IPOwnerID     string `xml:"ipOwnerId"`
		}{in.PublicIPAddress, x.DNSName, "amazon"}
	}
	nic.Ipv6AddressesSet.Items = []ec2Ipv6Address{}
	for _, a := range in.Ipv6Addresses {
		nic.Ipv6AddressesSet.Items = append(nic.Ipv6AddressesSet.Items, ec2Ipv6Address{a})
	}
	x.NetworkInterfaceSet.Items = append(x.NetworkInterfaceSet.Items, nic)
	return x
}
