package emulator

import (
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	elb "github.com/aws/aws-sdk-go-v2/service/elasticloadbalancing"
	elbv2 "github.com/aws/aws-sdk-go-v2/service/elasticloadbalancingv2"
	elbv2types "github.com/aws/aws-sdk-go-v2/service/elasticloadbalancingv2/types"
)

func TestDescribeLoadBalancersV2(t *testing.T) {
	s, u := startFleet(t, "resources.yaml")
	client := elbv2Client(u, "us-east-1")
	v2 := []string{"k8s-web", "k8s-plain", "k8s-nlb", "k8s-tcp", "k8s-gw"}
	tests := []struct {
		name  string
		in    elbv2.DescribeLoadBalancersInput
		want  []string
		pages int
	}{
		{"all, one page", elbv2.DescribeLoadBalancersInput{}, v2, 1},
		{"pages of two", elbv2.DescribeLoadBalancersInput{PageSize: aws.Int32(2)}, v2, 3},
		{"by name", elbv2.DescribeLoadBalancersInput{Names: []string{"k8s-nlb", "k8s-web"}}, []string{"k8s-nlb", "k8s-web"}, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var got []string
			pages := 0
			for p := elbv2.NewDescribeLoadBalancersPaginator(client, &tt.in); p.HasMorePages(); {
				out, err := p.NextPage(ctx)
				if err != nil {
					t.Fatal(err)
				}
				pages++
				for _, lb := range out.LoadBalancers {
					got = append(got, aws.ToString(lb.LoadBalancerName))
				}
			}
			if !slices.Equal(got, tt.want) || pages != tt.pages {
				t.Errorf("got %v in %d pages, want %v in %d", got, pages, tt.want, tt.pages)
			}
		})
	}
	if n := s.Calls()["elasticloadbalancing:DescribeLoadBalancers"]; n != 5 {
		t.Errorf("Calls counted %d v2 DescribeLoadBalancers, want 5", n)
	}

	out, err := client.DescribeLoadBalancers(ctx, &elbv2.DescribeLoadBalancersInput{})
	if err != nil {
		t.Fatal(err)
	}
	shapes := []struct {
		name, scheme, arnPart, dns string
		typ                        elbv2types.LoadBalancerTypeEnum
	}{
		{"k8s-web", "internet-facing", ":loadbalancer/app/k8s-web/", `^k8s-web-[0-9]{10}\.us-east-1\.elb\.amazonaws\.com$`, "application"},
		{"k8s-plain", "internal", ":loadbalancer/app/k8s-plain/", `^internal-k8s-plain-[0-9]{10}\.us-east-1\.elb\.amazonaws\.com$`, "application"},
		{"k8s-nlb", "internet-facing", ":loadbalancer/net/k8s-nlb/", `^k8s-nlb-[0-9a-f]{16}\.elb\.us-east-1\.amazonaws\.com$`, "network"},
		{"k8s-gw", "internet-facing", ":loadbalancer/gwy/k8s-gw/", `^$`, "gateway"},
	}
	for i, sh := range shapes {
		lb := out.LoadBalancers[slices.Index(v2, sh.name)]
		if string(lb.Scheme) != sh.scheme || lb.Type != sh.typ || !strings.Contains(aws.ToString(lb.LoadBalancerArn), sh.arnPart) ||
			!matches(sh.dns, aws.ToString(lb.DNSName)) || aws.ToString(lb.VpcId) == "" || lb.State == nil || lb.State.Code != "active" || lb.CreatedTime == nil {
			t.Errorf("%d %s: %+v", i, sh.name, lb)
		}
	}
	_, err = client.DescribeLoadBalancers(ctx, &elbv2.DescribeLoadBalancersInput{Names: []string{"k8s-web", "nope"}})
	wantAPIError(t, err, "LoadBalancerNotFound", "Load balancers '[nope]' not found")
	// Classic load balancers live in the classic API only.
	_, err = client.DescribeLoadBalancers(ctx, &elbv2.DescribeLoadBalancersInput{Names: []string{"legacy"}})
	wantAPIError(t, err, "LoadBalancerNotFound", "")
	_, err = client.DescribeLoadBalancers(ctx, &elbv2.DescribeLoadBalancersInput{PageSize: aws.Int32(401)})
	wantAPIError(t, err, "ValidationError", "")
	_, err = client.DescribeLoadBalancers(ctx, &elbv2.DescribeLoadBalancersInput{Marker: aws.String("forged")})
	wantAPIError(t, err, "ValidationError", "")
	_, err = elbv2Client(u, "eu-west-1").DescribeLoadBalancers(ctx, &elbv2.DescribeLoadBalancersInput{})
	wantAPIError(t, err, "InvalidClientTokenId", "")
}

func TestDescribeListeners(t *testing.T) {
	s, u := startFleet(t, "resources.yaml")
	client := elbv2Client(u, "us-east-1")
	lbs, err := client.DescribeLoadBalancers(ctx, &elbv2.DescribeLoadBalancersInput{})
	if err != nil {
		t.Fatal(err)
	}
	arn := map[string]string{}
	for _, lb := range lbs.LoadBalancers {
		arn[aws.ToString(lb.LoadBalancerName)] = aws.ToString(lb.LoadBalancerArn)
	}
	tests := []struct {
		lb       string
		pageSize int32
		pages    int
		want     []string // PROTOCOL:PORT certificate action...
	}{
		{"k8s-web", 0, 1, []string{"HTTPS:443 cert=arn:aws:acm:us-east-1:111111111111:certificate/c1 policy=ELBSecurityPolicy-TLS13-1-2-2021-06 forward", "HTTP:80 redirect=HTTPS:443:HTTP_301:#{host}"}},
		{"k8s-web", 1, 2, []string{"HTTPS:443 cert=arn:aws:acm:us-east-1:111111111111:certificate/c1 policy=ELBSecurityPolicy-TLS13-1-2-2021-06 forward", "HTTP:80 redirect=HTTPS:443:HTTP_301:#{host}"}},
		{"k8s-plain", 0, 1, []string{"HTTP:80 forward=arn:aws:elasticloadbalancing:us-east-1:111111111111:targetgroup/tg-plain/0123456789abcdef", "HTTP:8080 fixed-response=404"}},
		{"k8s-nlb", 0, 1, []string{"TLS:443 cert=arn:aws:acm:us-east-1:111111111111:certificate/c2 policy=ELBSecurityPolicy-TLS13-1-2-Res-2021-06 forward"}},
		{"k8s-tcp", 0, 1, []string{"TCP:80 forward"}},
		{"k8s-gw", 0, 1, []string{"GENEVE:6081 forward"}},
	}
	for _, tt := range tests {
		t.Run(fmt.Sprintf("%s pages of %d", tt.lb, tt.pageSize), func(t *testing.T) {
			in := &elbv2.DescribeListenersInput{LoadBalancerArn: aws.String(arn[tt.lb])}
			if tt.pageSize > 0 {
				in.PageSize = aws.Int32(tt.pageSize)
			}
			var got []string
			pages := 0
			for p := elbv2.NewDescribeListenersPaginator(client, in); p.HasMorePages(); {
				out, err := p.NextPage(ctx)
				if err != nil {
					t.Fatal(err)
				}
				pages++
				for _, l := range out.Listeners {
					if aws.ToString(l.LoadBalancerArn) != arn[tt.lb] || !strings.HasPrefix(aws.ToString(l.ListenerArn), strings.Replace(arn[tt.lb], ":loadbalancer/", ":listener/", 1)+"/") {
						t.Errorf("listener %s of %s", aws.ToString(l.ListenerArn), aws.ToString(l.LoadBalancerArn))
					}
					got = append(got, describeListener(l))
				}
			}
			if !slices.Equal(got, tt.want) || pages != tt.pages {
				t.Errorf("got %q in %d pages\nwant %q in %d", got, pages, tt.want, tt.pages)
			}
		})
	}
	web, _ := client.DescribeListeners(ctx, &elbv2.DescribeListenersInput{LoadBalancerArn: aws.String(arn["k8s-web"])})
	one, err := client.DescribeListeners(ctx, &elbv2.DescribeListenersInput{ListenerArns: []string{aws.ToString(web.Listeners[1].ListenerArn)}})
	if err != nil || len(one.Listeners) != 1 || aws.ToInt32(one.Listeners[0].Port) != 80 {
		t.Errorf("by listener ARN: %v %v", one, err)
	}
	_, err = client.DescribeListeners(ctx, &elbv2.DescribeListenersInput{})
	wantAPIError(t, err, "ValidationError", "You must specify either listener ARNs or a load balancer ARN")
	_, err = client.DescribeListeners(ctx, &elbv2.DescribeListenersInput{LoadBalancerArn: aws.String(strings.Replace(arn["k8s-web"], "k8s-web", "k8s-gone", 1))})
	wantAPIError(t, err, "LoadBalancerNotFound", "One or more load balancers not found")
	_, err = client.DescribeListeners(ctx, &elbv2.DescribeListenersInput{ListenerArns: []string{aws.ToString(web.Listeners[0].ListenerArn) + "0"}})
	wantAPIError(t, err, "ListenerNotFound", "One or more listeners not found")
	if n := s.Calls()["elasticloadbalancing:DescribeListeners"]; n != 12 {
		t.Errorf("Calls counted %d DescribeListeners, want 12", n)
	}
}

func describeListener(l elbv2types.Listener) string {
	s := string(l.Protocol) + ":" + fmt.Sprint(aws.ToInt32(l.Port))
	for _, c := range l.Certificates {
		s += " cert=" + aws.ToString(c.CertificateArn)
	}
	if l.SslPolicy != nil {
		s += " policy=" + aws.ToString(l.SslPolicy)
	}
	for _, a := range l.DefaultActions {
		s += " " + string(a.Type)
		switch {
		case a.RedirectConfig != nil:
			r := a.RedirectConfig
			s += "=" + aws.ToString(r.Protocol) + ":" + aws.ToString(r.Port) + ":" + string(r.StatusCode) + ":" + aws.ToString(r.Host)
		case a.FixedResponseConfig != nil:
			s += "=" + aws.ToString(a.FixedResponseConfig.StatusCode)
		case a.Type == "forward":
			tg := aws.ToString(a.TargetGroupArn)
			if a.ForwardConfig == nil || len(a.ForwardConfig.TargetGroups) != 1 || aws.ToString(a.ForwardConfig.TargetGroups[0].TargetGroupArn) != tg || !strings.Contains(tg, ":targetgroup/") {
				s += "!badforward"
			}
			if strings.Contains(tg, "tg-plain") {
				s += "=" + tg
			}
		}
	}
	return s
}

func TestDescribeTagsV2(t *testing.T) {
	_, u := startFleet(t, "resources.yaml")
	client := elbv2Client(u, "us-east-1")
	lbs, err := client.DescribeLoadBalancers(ctx, &elbv2.DescribeLoadBalancersInput{Names: []string{"k8s-web", "k8s-tcp"}})
	if err != nil {
		t.Fatal(err)
	}
	arns := []string{aws.ToString(lbs.LoadBalancers[0].LoadBalancerArn), aws.ToString(lbs.LoadBalancers[1].LoadBalancerArn)}
	out, err := client.DescribeTags(ctx, &elbv2.DescribeTagsInput{ResourceArns: arns})
	if err != nil {
		t.Fatal(err)
	}
	if len(out.TagDescriptions) != 2 || aws.ToString(out.TagDescriptions[0].ResourceArn) != arns[0] || len(out.TagDescriptions[0].Tags) != 2 ||
		aws.ToString(out.TagDescriptions[0].Tags[0].Key) != "elbv2.k8s.aws/cluster" || aws.ToString(out.TagDescriptions[0].Tags[0].Value) != "prod" ||
		len(out.TagDescriptions[1].Tags) != 0 {
		t.Errorf("tags %+v", out.TagDescriptions)
	}
	tests := []struct {
		name string
		arns []string
		code string
	}{
		{"twenty", slices.Repeat(arns[:1], 20), ""},
		{"twenty-one", slices.Repeat(arns[:1], 21), "ValidationError"},
		{"unknown", []string{arns[0], strings.Replace(arns[0], "k8s-web", "k8s-gone", 1)}, "LoadBalancerNotFound"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out, err := client.DescribeTags(ctx, &elbv2.DescribeTagsInput{ResourceArns: tt.arns})
			if tt.code != "" {
				wantAPIError(t, err, tt.code, "")
				return
			}
			if err != nil || len(out.TagDescriptions) != len(tt.arns) {
				t.Errorf("%v %v", out, err)
			}
		})
	}
}

func TestClassicLoadBalancers(t *testing.T) {
	s, u := startFleet(t, "resources.yaml")
	client := elbClient(u, "us-east-1")
	var names []string
	pages := 0
	for p := elb.NewDescribeLoadBalancersPaginator(client, &elb.DescribeLoadBalancersInput{PageSize: aws.Int32(1)}); p.HasMorePages(); {
		out, err := p.NextPage(ctx)
		if err != nil {
			t.Fatal(err)
		}
		pages++
		for _, d := range out.LoadBalancerDescriptions {
			names = append(names, aws.ToString(d.LoadBalancerName))
		}
	}
	if !slices.Equal(names, []string{"legacy", "legacy-plain"}) || pages != 2 {
		t.Errorf("classic %v in %d pages", names, pages)
	}
	out, err := client.DescribeLoadBalancers(ctx, &elb.DescribeLoadBalancersInput{LoadBalancerNames: []string{"legacy"}})
	if err != nil {
		t.Fatal(err)
	}
	d := out.LoadBalancerDescriptions[0]
	var listeners []string
	for _, ld := range d.ListenerDescriptions {
		l := ld.Listener
		listeners = append(listeners, fmt.Sprintf("%s:%d>%s:%d %s %v", aws.ToString(l.Protocol), l.LoadBalancerPort, aws.ToString(l.InstanceProtocol),
			aws.ToInt32(l.InstancePort), aws.ToString(l.SSLCertificateId), ld.PolicyNames))
	}
	want := []string{"HTTPS:443>HTTP:30443 arn:aws:acm:us-east-1:111111111111:certificate/c3 [ELBSecurityPolicy-2016-08]", "HTTP:80>HTTP:30080  []"}
	if !slices.Equal(listeners, want) || aws.ToString(d.Scheme) != "internet-facing" || !matches(`^legacy-[0-9]{10}\.us-east-1\.elb\.amazonaws\.com$`, aws.ToString(d.DNSName)) ||
		aws.ToString(d.VPCId) == "" || d.CreatedTime == nil {
		t.Errorf("legacy: %q %+v", listeners, d)
	}
	_, err = client.DescribeLoadBalancers(ctx, &elb.DescribeLoadBalancersInput{LoadBalancerNames: []string{"k8s-web"}})
	wantAPIError(t, err, "LoadBalancerNotFound", "There is no ACTIVE Load Balancer named 'k8s-web'")

	tags, err := client.DescribeTags(ctx, &elb.DescribeTagsInput{LoadBalancerNames: []string{"legacy", "legacy-plain"}})
	if err != nil || len(tags.TagDescriptions) != 2 || aws.ToString(tags.TagDescriptions[0].LoadBalancerName) != "legacy" ||
		aws.ToString(tags.TagDescriptions[0].Tags[0].Key) != "kubernetes.io/cluster/prod" || len(tags.TagDescriptions[1].Tags) != 0 {
		t.Errorf("classic tags %+v %v", tags, err)
	}
	_, err = client.DescribeTags(ctx, &elb.DescribeTagsInput{LoadBalancerNames: slices.Repeat([]string{"legacy"}, 21)})
	wantAPIError(t, err, "ValidationError", "")
	_, err = client.DescribeTags(ctx, &elb.DescribeTagsInput{LoadBalancerNames: []string{"nope"}})
	wantAPIError(t, err, "LoadBalancerNotFound", "There is no ACTIVE Load Balancer named 'nope'")
	// The classic API is counted apart from the v2 one.
	calls := s.Calls()
	if calls["elb:DescribeLoadBalancers"] != 4 || calls["elb:DescribeTags"] != 3 || calls["elasticloadbalancing:DescribeLoadBalancers"] != 0 {
		t.Errorf("calls %v", calls)
	}
}
