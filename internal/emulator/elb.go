package emulator

import (
	"encoding/xml"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// Elastic Load Balancing is awsQuery. The v2 API (application, network and
// gateway load balancers) and the classic API share the signing name; the
// Version parameter tells them apart. Calls counts the classic API as elb:.
const (
	elbV2Version        = "2015-12-01"
	elbClassicVersion   = "2012-06-01"
	elbV2Namespace      = "http://elasticloadbalancing.amazonaws.com/doc/2015-12-01/"
	elbClassicNamespace = "http://elasticloadbalancing.amazonaws.com/doc/2012-06-01/"
	elbMaxTagResources  = 20
)

func (s *Server) serveELB(w *recorder, c *call) {
	ns := elbV2Namespace
	if c.service == "elb" {
		ns = elbClassicNamespace
	}
	acct := s.callerAccount(c.akid)
	reg := acct.region(c.region)
	if !reg.enabled {
		queryError(w, c, ns, http.StatusForbidden, "InvalidClientTokenId", "The security token included in the request is invalid.")
		return
	}
	if denied(acct, reg, c) {
		principal, _ := s.principal(c.akid)
		queryError(w, c, ns, http.StatusForbidden, "AccessDenied", denyMessage(principal, c.action(), ""))
		return
	}
	var f *queryFault
	switch {
	case c.service == "elasticloadbalancing" && c.op == "DescribeLoadBalancers":
		f = s.describeLoadBalancersV2(w, c, reg)
	case c.service == "elasticloadbalancing" && c.op == "DescribeTags":
		f = s.describeTagsV2(w, c, reg)
	case c.service == "elasticloadbalancing" && c.op == "DescribeListeners":
		f = s.describeListeners(w, c, reg)
	case c.service == "elb" && c.op == "DescribeLoadBalancers":
		f = s.describeLoadBalancersClassic(w, c, reg)
	case c.service == "elb" && c.op == "DescribeTags":
		f = s.describeTagsClassic(w, c, reg)
	default:
		version := elbV2Version
		if c.service == "elb" {
			version = elbClassicVersion
		}
		f = &queryFault{http.StatusBadRequest, "InvalidAction", fmt.Sprintf("Could not find operation %s for version %s", c.op, version)}
	}
	if f != nil {
		queryError(w, c, ns, f.status, f.code, f.message)
	}
}

// elbPage applies Marker and PageSize (1..400, default 400) to n items.
func elbPage(c *call, scope string, n int) (start, end int, next string, f *queryFault) {
	size := 400
	if raw := c.form.Get("PageSize"); raw != "" {
		v, err := strconv.Atoi(raw)
		switch {
		case err != nil:
			return 0, 0, "", validationError("1 validation error detected: Value '%s' at 'pageSize' failed to satisfy constraint: Member must be an integer", raw)
		case v < 1:
			return 0, 0, "", validationError("1 validation error detected: Value '%d' at 'pageSize' failed to satisfy constraint: Member must have value greater than or equal to 1", v)
		case v > 400:
			return 0, 0, "", validationError("1 validation error detected: Value '%d' at 'pageSize' failed to satisfy constraint: Member must have value less than or equal to 400", v)
		}
		size = v
	}
	if m := c.form.Get("Marker"); m != "" {
		var ok bool
		if start, ok = parsePageToken(m, scope, n); !ok {
			return 0, 0, "", validationError("The marker '%s' is not valid", m)
		}
	}
	end = min(start+size, n)
	if end < n {
		next = pageToken(scope, end)
	}
	return start, end, next, nil
}

// v2 and classic load balancers of the region, in fleet order.
func (r *region) loadBalancers(classic bool) []*loadBalancer {
	var out []*loadBalancer
	for _, lb := range r.lbs {
		if lb.classic == classic {
			out = append(out, lb)
		}
	}
	return out
}

type elbV2LoadBalancerXML struct {
	LoadBalancerArn       string    `xml:"LoadBalancerArn"`
	DNSName               string    `xml:"DNSName,omitempty"`
	CanonicalHostedZoneID string    `xml:"CanonicalHostedZoneId,omitempty"`
	CreatedTime           time.Time `xml:"CreatedTime"`
	LoadBalancerName      string    `xml:"LoadBalancerName"`
	Scheme                string    `xml:"Scheme"`
	VpcID                 string    `xml:"VpcId"`
	State                 struct {
		Code string `xml:"Code"`
	} `xml:"State"`
	Type              string `xml:"Type"`
	AvailabilityZones struct {
		Members []struct{} `xml:"member"`
	} `xml:"AvailabilityZones"`
	IPAddressType string `xml:"IpAddressType"`
}

func (s *Server) describeLoadBalancersV2(w http.ResponseWriter, c *call, reg *region) *queryFault {
	all := reg.loadBalancers(false)
	list := all
	names, arns := formList(c.form, "Names.member"), formList(c.form, "LoadBalancerArns.member")
	if len(names) > 0 || len(arns) > 0 {
		list = nil
		var missing []string
		for _, want := range append(names, arns...) {
			var found *loadBalancer
			for _, lb := range all {
				if lb.LoadBalancerName == want || lb.arn == want {
					found = lb
				}
			}
			if found == nil {
				missing = append(missing, want)
				continue
			}
			list = append(list, found)
		}
		if len(missing) > 0 {
			return &queryFault{http.StatusBadRequest, "LoadBalancerNotFound", fmt.Sprintf("Load balancers '[%s]' not found", strings.Join(missing, ", "))}
		}
	}
	scope := "elbv2/" + reg.acct.id + "/" + reg.name + "/" + strings.Join(names, ",") + "/" + strings.Join(arns, ",")
	start, end, next, f := elbPage(c, scope, len(list))
	if f != nil {
		return f
	}
	out := struct {
		XMLName       xml.Name `xml:"DescribeLoadBalancersResult"`
		LoadBalancers struct {
			Members []elbV2LoadBalancerXML `xml:"member"`
		} `xml:"LoadBalancers"`
		NextMarker string `xml:"NextMarker,omitempty"`
	}{NextMarker: next}
	out.LoadBalancers.Members = []elbV2LoadBalancerXML{}
	for _, lb := range list[start:end] {
		x := elbV2LoadBalancerXML{LoadBalancerArn: lb.arn, DNSName: lb.dns, CreatedTime: lb.created, LoadBalancerName: lb.LoadBalancerName,
			Scheme: lb.Scheme, VpcID: lb.VpcID, Type: lb.Type, IPAddressType: "ipv4"}
		if lb.dns != "" {
			x.CanonicalHostedZoneID = lb.zoneID
		}
		x.State.Code = "active"
		out.LoadBalancers.Members = append(out.LoadBalancers.Members, x)
	}
	writeQueryResult(w, c, elbV2Namespace, out)
	return nil
}

type elbTagDescriptionXML struct {
	ResourceArn      string  `xml:"ResourceArn,omitempty"`
	LoadBalancerName string  `xml:"LoadBalancerName,omitempty"`
	Tags             xmlTags `xml:"Tags"`
}

func tagDescription(tags map[string]string) xmlTags {
	t := xmlTags{Members: []xmlTag{}}
	for _, k := range sortedKeys(tags) {
		t.Members = append(t.Members, xmlTag{k, tags[k]})
	}
	return t
}

func tooManyTagResources(member string, got []string) *queryFault {
	if len(got) == 0 {
		return validationError("1 validation error detected: Value null at '%s' failed to satisfy constraint: Member must not be null", member)
	}
	if len(got) > elbMaxTagResources {
		return validationError("1 validation error detected: Value '[%s]' at '%s' failed to satisfy constraint: Member must have length less than or equal to %d",
			strings.Join(got, ", "), member, elbMaxTagResources)
	}
	return nil
}

func (s *Server) describeTagsV2(w http.ResponseWriter, c *call, reg *region) *queryFault {
	arns := formList(c.form, "ResourceArns.member")
	if f := tooManyTagResources("resourceArns", arns); f != nil {
		return f
	}
	out := struct {
		XMLName         xml.Name `xml:"DescribeTagsResult"`
		TagDescriptions struct {
			Members []elbTagDescriptionXML `xml:"member"`
		} `xml:"TagDescriptions"`
	}{}
	for _, arn := range arns {
		var tags map[string]string
		if lb := reg.lbByArn[arn]; lb != nil && !lb.classic {
			tags = lb.Tags
		} else if _, ok := reg.listeners[arn]; !ok {
			if strings.Contains(arn, ":listener/") {
				return &queryFault{http.StatusBadRequest, "ListenerNotFound", "One or more listeners not found"}
			}
			return &queryFault{http.StatusBadRequest, "LoadBalancerNotFound", fmt.Sprintf("Load balancers '[%s]' not found", arn)}
		}
		out.TagDescriptions.Members = append(out.TagDescriptions.Members, elbTagDescriptionXML{ResourceArn: arn, Tags: tagDescription(tags)})
	}
	writeQueryResult(w, c, elbV2Namespace, out)
	return nil
}

type elbActionXML struct {
	Type                string          `xml:"Type"`
	TargetGroupArn      string          `xml:"TargetGroupArn,omitempty"`
	Order               int             `xml:"Order"`
	RedirectConfig      *RedirectConfig `xml:"RedirectConfig,omitempty"`
	FixedResponseConfig *struct {
		MessageBody string `xml:"MessageBody,omitempty"`
		StatusCode  string `xml:"StatusCode"`
		ContentType string `xml:"ContentType,omitempty"`
	} `xml:"FixedResponseConfig,omitempty"`
	ForwardConfig *struct {
		TargetGroups struct {
			Members []struct {
				TargetGroupArn string `xml:"TargetGroupArn"`
				Weight         int    `xml:"Weight"`
			} `xml:"member"`
		} `xml:"TargetGroups"`
		TargetGroupStickinessConfig struct {
			Enabled bool `xml:"Enabled"`
		} `xml:"TargetGroupStickinessConfig"`
	} `xml:"ForwardConfig,omitempty"`
}

type elbListenerXML struct {
	ListenerArn     string `xml:"ListenerArn"`
	LoadBalancerArn string `xml:"LoadBalancerArn"`
	Port            int32  `xml:"Port,omitempty"`
	Protocol        string `xml:"Protocol,omitempty"`
	Certificates    *struct {
		Members []struct {
			CertificateArn string `xml:"CertificateArn"`
		} `xml:"member"`
	} `xml:"Certificates,omitempty"`
	SslPolicy      string `xml:"SslPolicy,omitempty"`
	DefaultActions struct {
		Members []elbActionXML `xml:"member"`
	} `xml:"DefaultActions"`
}

func (l *listener) xml() elbListenerXML {
	x := elbListenerXML{ListenerArn: l.arn, LoadBalancerArn: l.lb.arn, Port: l.Port, Protocol: l.Protocol, SslPolicy: l.SslPolicy}
	if len(l.Certificates) > 0 {
		x.Certificates = &struct {
			Members []struct {
				CertificateArn string `xml:"CertificateArn"`
			} `xml:"member"`
		}{}
		for _, cert := range l.Certificates {
			x.Certificates.Members = append(x.Certificates.Members, struct {
				CertificateArn string `xml:"CertificateArn"`
			}{cert.CertificateArn})
		}
	}
	for i, a := range l.DefaultActions {
		ax := elbActionXML{Type: a.Type, TargetGroupArn: a.TargetGroupArn, Order: i + 1, RedirectConfig: a.RedirectConfig}
		if fr := a.FixedResponseConfig; fr != nil {
			ax.FixedResponseConfig = &struct {
				MessageBody string `xml:"MessageBody,omitempty"`
				StatusCode  string `xml:"StatusCode"`
				ContentType string `xml:"ContentType,omitempty"`
			}{fr.MessageBody, fr.StatusCode, fr.ContentType}
		}
		if a.Type == "forward" && a.TargetGroupArn != "" {
			ax.ForwardConfig = &struct {
				TargetGroups struct {
					Members []struct {
						TargetGroupArn string `xml:"TargetGroupArn"`
						Weight         int    `xml:"Weight"`
					} `xml:"member"`
				} `xml:"TargetGroups"`
				TargetGroupStickinessConfig struct {
					Enabled bool `xml:"Enabled"`
				} `xml:"TargetGroupStickinessConfig"`
			}{}
			ax.ForwardConfig.TargetGroups.Members = append(ax.ForwardConfig.TargetGroups.Members, struct {
				TargetGroupArn string `xml:"TargetGroupArn"`
				Weight         int    `xml:"Weight"`
			}{a.TargetGroupArn, 1})
		}
		x.DefaultActions.Members = append(x.DefaultActions.Members, ax)
	}
	return x
}

func (s *Server) describeListeners(w http.ResponseWriter, c *call, reg *region) *queryFault {
	lbArn := c.form.Get("LoadBalancerArn")
	arns := formList(c.form, "ListenerArns.member")
	var list []*listener
	switch {
	case lbArn == "" && len(arns) == 0:
		return validationError("You must specify either listener ARNs or a load balancer ARN")
	case lbArn != "" && len(arns) > 0:
		return validationError("Listener ARNs and a load balancer ARN cannot be specified at the same time")
	case lbArn != "":
		lb := reg.lbByArn[lbArn]
		if lb == nil || lb.classic {
			return &queryFault{http.StatusBadRequest, "LoadBalancerNotFound", "One or more load balancers not found"}
		}
		list = lb.listeners
	default:
		for _, arn := range arns {
			l := reg.listeners[arn]
			if l == nil {
				return &queryFault{http.StatusBadRequest, "ListenerNotFound", "One or more listeners not found"}
			}
			list = append(list, l)
		}
	}
	start, end, next, f := elbPage(c, "listeners/"+reg.acct.id+"/"+reg.name+"/"+lbArn+"/"+strings.Join(arns, ","), len(list))
	if f != nil {
		return f
	}
	out := struct {
		XMLName   xml.Name `xml:"DescribeListenersResult"`
		Listeners struct {
			Members []elbListenerXML `xml:"member"`
		} `xml:"Listeners"`
		NextMarker string `xml:"NextMarker,omitempty"`
	}{NextMarker: next}
	out.Listeners.Members = []elbListenerXML{}
	for _, l := range list[start:end] {
		out.Listeners.Members = append(out.Listeners.Members, l.xml())
	}
	writeQueryResult(w, c, elbV2Namespace, out)
	return nil
}

type classicListenerXML struct {
	Listener struct {
		Protocol         string `xml:"Protocol"`
		LoadBalancerPort int32  `xml:"LoadBalancerPort"`
		InstanceProtocol string `xml:"InstanceProtocol"`
		InstancePort     int32  `xml:"InstancePort"`
		SSLCertificateID string `xml:"SSLCertificateId,omitempty"`
	} `xml:"Listener"`
	PolicyNames struct {
		Members []string `xml:"member"`
	} `xml:"PolicyNames"`
}

type classicLoadBalancerXML struct {
	LoadBalancerName          string `xml:"LoadBalancerName"`
	DNSName                   string `xml:"DNSName"`
	CanonicalHostedZoneName   string `xml:"CanonicalHostedZoneName,omitempty"`
	CanonicalHostedZoneNameID string `xml:"CanonicalHostedZoneNameID"`
	ListenerDescriptions      struct {
		Members []classicListenerXML `xml:"member"`
	} `xml:"ListenerDescriptions"`
	Policies struct {
		AppCookieStickinessPolicies struct{} `xml:"AppCookieStickinessPolicies"`
		LBCookieStickinessPolicies  struct{} `xml:"LBCookieStickinessPolicies"`
		OtherPolicies               struct {
			Members []string `xml:"member"`
		} `xml:"OtherPolicies"`
	} `xml:"Policies"`
	BackendServerDescriptions struct{}  `xml:"BackendServerDescriptions"`
	AvailabilityZones         struct{}  `xml:"AvailabilityZones"`
	Subnets                   struct{}  `xml:"Subnets"`
	VPCID                     string    `xml:"VPCId"`
	Instances                 struct{}  `xml:"Instances"`
	SecurityGroups            struct{}  `xml:"SecurityGroups"`
	CreatedTime               time.Time `xml:"CreatedTime"`
	Scheme                    string    `xml:"Scheme"`
}

// classicSSLPolicy is the predefined policy a classic HTTPS or SSL listener
// gets when none is set.
const classicSSLPolicy = "ELBSecurityPolicy-2016-08"

func (s *Server) classicNamed(reg *region, member string, c *call) ([]*loadBalancer, *queryFault) {
	all := reg.loadBalancers(true)
	names := formList(c.form, member)
	if len(names) == 0 {
		return all, nil
	}
	var out []*loadBalancer
	for _, n := range names {
		var found *loadBalancer
		for _, lb := range all {
			if lb.LoadBalancerName == n {
				found = lb
			}
		}
		if found == nil {
			return nil, &queryFault{http.StatusBadRequest, "LoadBalancerNotFound", fmt.Sprintf("There is no ACTIVE Load Balancer named '%s'", n)}
		}
		out = append(out, found)
	}
	return out, nil
}

func (s *Server) describeLoadBalancersClassic(w http.ResponseWriter, c *call, reg *region) *queryFault {
	list, f := s.classicNamed(reg, "LoadBalancerNames.member", c)
	if f != nil {
		return f
	}
	scope := "elb/" + reg.acct.id + "/" + reg.name + "/" + strings.Join(formList(c.form, "LoadBalancerNames.member"), ",")
	start, end, next, f := elbPage(c, scope, len(list))
	if f != nil {
		return f
	}
	out := struct {
		XMLName                  xml.Name `xml:"DescribeLoadBalancersResult"`
		LoadBalancerDescriptions struct {
			Members []classicLoadBalancerXML `xml:"member"`
		} `xml:"LoadBalancerDescriptions"`
		NextMarker string `xml:"NextMarker,omitempty"`
	}{NextMarker: next}
	out.LoadBalancerDescriptions.Members = []classicLoadBalancerXML{}
	for _, lb := range list[start:end] {
		x := classicLoadBalancerXML{LoadBalancerName: lb.LoadBalancerName, DNSName: lb.dns, CanonicalHostedZoneNameID: lb.zoneID,
			VPCID: lb.VpcID, CreatedTime: lb.created, Scheme: lb.Scheme}
		if lb.Scheme != "internal" {
			x.CanonicalHostedZoneName = lb.dns
		}
		secure := false
		for _, l := range lb.listeners {
			var lx classicListenerXML
			lx.Listener.Protocol, lx.Listener.LoadBalancerPort = l.Protocol, l.LoadBalancerPort
			lx.Listener.InstanceProtocol, lx.Listener.InstancePort = l.InstanceProtocol, l.InstancePort
			lx.Listener.SSLCertificateID = l.SSLCertificateID
			if l.Protocol == "HTTPS" || l.Protocol == "SSL" {
				lx.PolicyNames.Members = []string{classicSSLPolicy}
				secure = true
			}
			x.ListenerDescriptions.Members = append(x.ListenerDescriptions.Members, lx)
		}
		if secure {
			x.Policies.OtherPolicies.Members = []string{classicSSLPolicy}
		}
		out.LoadBalancerDescriptions.Members = append(out.LoadBalancerDescriptions.Members, x)
	}
	writeQueryResult(w, c, elbClassicNamespace, out)
	return nil
}

func (s *Server) describeTagsClassic(w http.ResponseWriter, c *call, reg *region) *queryFault {
	names := formList(c.form, "LoadBalancerNames.member")
	if f := tooManyTagResources("loadBalancerNames", names); f != nil {
		return f
	}
	list, f := s.classicNamed(reg, "LoadBalancerNames.member", c)
	if f != nil {
		return f
	}
	out := struct {
		XMLName         xml.Name `xml:"DescribeTagsResult"`
		TagDescriptions struct {
			Members []elbTagDescriptionXML `xml:"member"`
		} `xml:"TagDescriptions"`
	}{}
	for _, lb := range list {
		out.TagDescriptions.Members = append(out.TagDescriptions.Members, elbTagDescriptionXML{LoadBalancerName: lb.LoadBalancerName, Tags: tagDescription(lb.Tags)})
	}
	writeQueryResult(w, c, elbClassicNamespace, out)
	return nil
}
