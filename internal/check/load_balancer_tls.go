package check

import (
	"fmt"
	"sort"
	"strings"

	"github.com/eksguard/eksguard/internal/finding"
	"github.com/eksguard/eksguard/internal/model"
)

// LoadBalancersEvidence is what the load balancer TLS check saw.
type LoadBalancersEvidence struct {
	LoadBalancers []LoadBalancerEvidence `json:"loadBalancers"`
	Note          string                 `json:"note,omitempty"`
}

// LoadBalancerEvidence is one load balancer and the verdict on each listener.
type LoadBalancerEvidence struct {
	Name      string             `json:"name"`
	ARN       string             `json:"arn,omitempty"`
	Type      string             `json:"type"`
	Scheme    string             `json:"scheme,omitempty"`
	Listeners []ListenerEvidence `json:"listeners"`
}

// ListenerEvidence is a listener: encrypted, redirected, plain, or carrying traffic eksguard
// cannot see into.
type ListenerEvidence struct {
	Port         int32    `json:"port"`
	Protocol     string   `json:"protocol"`
	Certificates []string `json:"certificates,omitempty"`
	// Verdict is tls, redirect, plaintext, no-certificate or opaque (TCP/UDP: eksguard cannot see
	// what they carry).
	Verdict string `json:"verdict"`
}

// LoadBalancerTLS passes when every listener of the cluster's load balancers that speaks HTTP
// either encrypts with a certificate or redirects to HTTPS.
var LoadBalancerTLS = register(&Check{
	ID:       "eks-load-balancer-tls",
	Title:    "Load balancers of the cluster serve HTTPS with certificates",
	Summary:  "no HTTP listener that does not redirect to HTTPS, no HTTPS/TLS listener without a certificate",
	Severity: SeverityMedium,
	Rationale: "Load balancers created for a cluster's Services and Ingresses carry its users' traffic. A plain " +
		"HTTP listener sends credentials and data in clear text across every network between the client and " +
		"the load balancer.",
	Links: []Link{
		{Title: "Route application and HTTP traffic with Application Load Balancers", URL: "https://docs.aws.amazon.com/eks/latest/userguide/alb-ingress.html"},
		{Title: "HTTPS listeners for your Application Load Balancer", URL: "https://docs.aws.amazon.com/elasticloadbalancing/latest/application/create-https-listener.html"},
		{Title: "CIS Amazon EKS Benchmark", URL: "https://www.cisecurity.org/benchmark/kubernetes"},
	},
	Parts: []model.Part{model.PartLoadBalancers},
	Calls: []APICall{
		{Action: "elasticloadbalancing:DescribeLoadBalancers", What: "every load balancer of the region, ALB/NLB and classic"},
		{Action: "elasticloadbalancing:DescribeTags", What: "the tags elbv2.k8s.aws/cluster and kubernetes.io/cluster/NAME that tie a load balancer to the cluster"},
		{Action: "elasticloadbalancing:DescribeListeners", What: "each ALB/NLB listener's protocol, certificates and default action"},
	},
	PassRule: "Every load balancer tagged for the cluster (elbv2.k8s.aws/cluster = NAME, or the key " +
		"kubernetes.io/cluster/NAME) has no HTTP listener, on any port, whose default action does not redirect to " +
		"HTTPS, and no HTTPS, TLS or SSL listener without a certificate. TCP and UDP listeners are listed: " +
		"eksguard cannot see whether what they carry is encrypted. Internal load balancers are judged alike and " +
		"marked internal. A cluster without load balancers passes with a note.",
	Defaults: "The AWS Load Balancer Controller creates HTTP listeners unless an Ingress asks for HTTPS " +
		"(alb.ingress.kubernetes.io/listen-ports and certificate-arn); a Service of type LoadBalancer gets TCP " +
		"listeners unless service.beta.kubernetes.io/aws-load-balancer-ssl-cert is set.",
	Advice: "serve HTTPS: for an Ingress set alb.ingress.kubernetes.io/certificate-arn and listen-ports " +
		`'[{"HTTPS":443}]' with alb.ingress.kubernetes.io/ssl-redirect: "443"; for a Service set ` +
		"service.beta.kubernetes.io/aws-load-balancer-ssl-cert and aws-load-balancer-ssl-ports",
	judge: judgeLoadBalancers,
})

func judgeLoadBalancers(c *model.Cluster) Outcome {
	ev := &LoadBalancersEvidence{LoadBalancers: []LoadBalancerEvidence{}}
	o := Outcome{Evidence: ev, Location: c.Loc}
	if len(c.LoadBalancers) == 0 {
		ev.Note = "no load balancers tagged for the cluster"
		o.Status, o.Reason = finding.Pass, "no load balancer is tagged for the cluster: no listener to judge"
		return o
	}
	lbs := append([]model.LoadBalancer{}, c.LoadBalancers...)
	sort.Slice(lbs, func(i, j int) bool { return lbs[i].Name < lbs[j].Name })
	var bad []string
	opaque := 0
	for _, lb := range lbs {
		le := LoadBalancerEvidence{Name: lb.Name, ARN: lb.ARN, Type: lb.Type, Scheme: lb.Scheme, Listeners: []ListenerEvidence{}}
		label := lb.Name
		if lb.Scheme == "internal" {
			label += " (internal)"
		}
		for _, l := range lb.Listeners {
			v := listenerVerdict(l)
			le.Listeners = append(le.Listeners, ListenerEvidence{Port: l.Port, Protocol: l.Protocol, Certificates: l.Certificates, Verdict: v})
			switch v {
			case "plaintext":
				bad = append(bad, fmt.Sprintf("%s listener %s:%d does not redirect to HTTPS", label, l.Protocol, l.Port))
			case "no-certificate":
				bad = append(bad, fmt.Sprintf("%s listener %s:%d has no certificate", label, l.Protocol, l.Port))
			case "opaque":
				opaque++
			}
		}
		ev.LoadBalancers = append(ev.LoadBalancers, le)
	}
	if len(bad) > 0 {
		o.Status = finding.Fail
		o.Reason = "load balancers of the cluster serve plain text: " + nameList(bad, maxNamed)
		return o
	}
	o.Status = finding.Pass
	o.Reason = fmt.Sprintf("every HTTP-speaking listener of %s uses TLS with a certificate or redirects to HTTPS", count(len(lbs), "load balancer", "load balancers"))
	if opaque > 0 {
		o.Reason += fmt.Sprintf("; %s listed in the evidence (what they carry cannot be seen from AWS)", count(opaque, "TCP/UDP listener is", "TCP/UDP listeners are"))
	}
	return o
}

// listenerVerdict classifies a listener.
func listenerVerdict(l model.Listener) string {
	switch strings.ToUpper(l.Protocol) {
	case "HTTP":
		if l.RedirectsToHTTPS {
			return "redirect"
		}
		return "plaintext"
	case "HTTPS", "TLS", "SSL":
		if len(l.Certificates) == 0 {
			return "no-certificate"
		}
		return "tls"
	}
	return "opaque"
}
