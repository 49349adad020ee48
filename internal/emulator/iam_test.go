package emulator

import (
	"encoding/json"
	"net/url"
	"slices"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
)

// decoded undoes IAM's URL encoding of a policy document and checks it is JSON.
func decoded(t *testing.T, doc *string) string {
	t.Helper()
	s, err := url.PathUnescape(aws.ToString(doc))
	if err != nil {
		t.Fatalf("document %q is not URL-encoded: %v", aws.ToString(doc), err)
	}
	if !json.Valid([]byte(s)) {
		t.Fatalf("document is not JSON: %s", s)
	}
	return s
}

func TestIAMRolesAndProfiles(t *testing.T) {
	_, u := startFleet(t, "resources.yaml")
	// IAM is global: any region answers with the account's IAM.
	for _, region := range []string{"us-east-1", "ap-south-1"} {
		client := iamClient(u, region)
		t.Run("GetRole "+region, func(t *testing.T) {
			out, err := client.GetRole(ctx, &iam.GetRoleInput{RoleName: aws.String("node")})
			if err != nil {
				t.Fatal(err)
			}
			r := out.Role
			if aws.ToString(r.Arn) != "arn:aws:iam::111111111111:role/node" || aws.ToString(r.Path) != "/" || !strings.HasPrefix(aws.ToString(r.RoleId), "AROA") ||
				r.CreateDate == nil || len(r.Tags) != 1 || aws.ToString(r.Tags[0].Key) != "team" {
				t.Errorf("role %+v", r)
			}
			if doc := decoded(t, r.AssumeRolePolicyDocument); !strings.Contains(doc, `"Service":"ec2.amazonaws.com"`) {
				t.Errorf("default trust policy %s", doc)
			}
		})
	}
	client := iamClient(u, "us-east-1")
	pathed, err := client.GetRole(ctx, &iam.GetRoleInput{RoleName: aws.String("pathed")})
	if err != nil || aws.ToString(pathed.Role.Arn) != "arn:aws:iam::111111111111:role/eks/pathed" {
		t.Errorf("pathed role: %v %v", pathed, err)
	}
	tests := []struct {
		name    string
		profile string
		roles   []string
		code    string
	}{
		{"with its role", "node", []string{"node"}, ""},
		{"without a role", "empty", nil, ""},
		{"unknown", "nope", nil, "NoSuchEntity"},
	}
	for _, tt := range tests {
		t.Run("GetInstanceProfile "+tt.name, func(t *testing.T) {
			out, err := client.GetInstanceProfile(ctx, &iam.GetInstanceProfileInput{InstanceProfileName: aws.String(tt.profile)})
			if tt.code != "" {
				wantAPIError(t, err, tt.code, "Instance Profile nope cannot be found.")
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			p := out.InstanceProfile
			var roles []string
			for _, r := range p.Roles {
				roles = append(roles, aws.ToString(r.RoleName))
			}
			if !slices.Equal(roles, tt.roles) || aws.ToString(p.Arn) != "arn:aws:iam::111111111111:instance-profile/"+tt.profile ||
				!strings.HasPrefix(aws.ToString(p.InstanceProfileId), "AIPA") {
				t.Errorf("profile %s roles %v", aws.ToString(p.Arn), roles)
			}
		})
	}
	_, err = client.GetRole(ctx, &iam.GetRoleInput{RoleName: aws.String("ghost")})
	wantAPIError(t, err, "NoSuchEntity", "The role with name ghost cannot be found.")
}

func TestIAMAttachedPolicies(t *testing.T) {
	_, u := startFleet(t, "resources.yaml")
	client := iamClient(u, "us-east-1")
	tests := []struct {
		name     string
		role     string
		maxItems int32
		want     []string // names, over every page
		pages    int
	}{
		{"one page", "node", 0, []string{"AmazonEKSWorkerNodePolicy", "AmazonEKS_CNI_Policy", "AmazonEC2ContainerRegistryReadOnly", "ecr-push"}, 1},
		{"pages of three", "node", 3, []string{"AmazonEKSWorkerNodePolicy", "AmazonEKS_CNI_Policy", "AmazonEC2ContainerRegistryReadOnly", "ecr-push"}, 2},
		{"pages of one", "node", 1, []string{"AmazonEKSWorkerNodePolicy", "AmazonEKS_CNI_Policy", "AmazonEC2ContainerRegistryReadOnly", "ecr-push"}, 4},
		{"nothing attached", "bare", 0, nil, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in := &iam.ListAttachedRolePoliciesInput{RoleName: aws.String(tt.role)}
			if tt.maxItems > 0 {
				in.MaxItems = aws.Int32(tt.maxItems)
			}
			var got []string
			pages := 0
			for p := iam.NewListAttachedRolePoliciesPaginator(client, in); p.HasMorePages(); {
				out, err := p.NextPage(ctx)
				if err != nil {
					t.Fatal(err)
				}
				pages++
				for _, ap := range out.AttachedPolicies {
					got = append(got, aws.ToString(ap.PolicyName))
				}
			}
			if !slices.Equal(got, tt.want) || pages != tt.pages {
				t.Errorf("got %v in %d pages, want %v in %d", got, pages, tt.want, tt.pages)
			}
		})
	}
	_, err := client.ListAttachedRolePolicies(ctx, &iam.ListAttachedRolePoliciesInput{RoleName: aws.String("ghost")})
	wantAPIError(t, err, "NoSuchEntity", "The role with name ghost cannot be found.")
	_, err = client.ListAttachedRolePolicies(ctx, &iam.ListAttachedRolePoliciesInput{RoleName: aws.String("node"), Marker: aws.String("forged")})
	wantAPIError(t, err, "ValidationError", "")
}

func TestIAMPolicies(t *testing.T) {
	_, u := startFleet(t, "resources.yaml")
	client := iamClient(u, "us-east-1")
	tests := []struct {
		arn, name, id, version string
		attachments            int32
		action                 string // an action the document grants
	}{
		{"arn:aws:iam::aws:policy/AmazonEC2ContainerRegistryReadOnly", "AmazonEC2ContainerRegistryReadOnly", "ANPAIFYZPA37OOHVIH7KQ", "v3", 1, "ecr:DescribeImageScanFindings"},
		{"arn:aws:iam::aws:policy/AmazonEC2ContainerRegistryPullOnly", "AmazonEC2ContainerRegistryPullOnly", "ANPAZKAPJZG4ACPA6HO4Q", "v1", 1, "ecr:BatchImportUpstreamImage"},
		{"arn:aws:iam::aws:policy/AmazonEC2ContainerRegistryPowerUser", "AmazonEC2ContainerRegistryPowerUser", "ANPAJDNE5PIHROIBGGDDW", "v3", 0, "ecr:PutImage"},
		{"arn:aws:iam::aws:policy/AmazonEC2ContainerRegistryFullAccess", "AmazonEC2ContainerRegistryFullAccess", "ANPAIESRL7KD7IIVF6V4W", "v3", 0, "ecr:*"},
		{"arn:aws:iam::aws:policy/AmazonEKSWorkerNodePolicy", "AmazonEKSWorkerNodePolicy", "ANPAIBVMOY52IPQ6HD3PO", "v3", 1, "eks-auth:AssumeRoleForPodIdentity"},
		{"arn:aws:iam::aws:policy/AmazonEKS_CNI_Policy", "AmazonEKS_CNI_Policy", "ANPAJWLAS474LDBXNNTM4", "v6", 1, "ec2:DescribeSecurityGroups"},
		{"arn:aws:iam::aws:policy/AmazonSSMManagedInstanceCore", "AmazonSSMManagedInstanceCore", "ANPAIXSHM2BNB2D3AXXRU", "v2", 0, "ssmmessages:OpenDataChannel"},
		{"arn:aws:iam::111111111111:policy/ecr-push", "ecr-push", "", "v1", 1, "ecr:InitiateLayerUpload"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out, err := client.GetPolicy(ctx, &iam.GetPolicyInput{PolicyArn: aws.String(tt.arn)})
			if err != nil {
				t.Fatal(err)
			}
			p := out.Policy
			if aws.ToString(p.PolicyName) != tt.name || aws.ToString(p.DefaultVersionId) != tt.version || aws.ToInt32(p.AttachmentCount) != tt.attachments ||
				(tt.id != "" && aws.ToString(p.PolicyId) != tt.id) || !p.IsAttachable || p.UpdateDate == nil || aws.ToString(p.Arn) != tt.arn {
				t.Errorf("policy %+v", p)
			}
			v, err := client.GetPolicyVersion(ctx, &iam.GetPolicyVersionInput{PolicyArn: aws.String(tt.arn), VersionId: p.DefaultVersionId})
			if err != nil {
				t.Fatal(err)
			}
			doc := decoded(t, v.PolicyVersion.Document)
			var parsed struct {
				Statement []struct {
					Action any
				}
			}
			if err := json.Unmarshal([]byte(doc), &parsed); err != nil || !strings.Contains(doc, `"`+tt.action+`"`) || !v.PolicyVersion.IsDefaultVersion {
				t.Errorf("document %s (%v)", doc, err)
			}
			_, err = client.GetPolicyVersion(ctx, &iam.GetPolicyVersionInput{PolicyArn: aws.String(tt.arn), VersionId: aws.String("v99")})
			wantAPIError(t, err, "NoSuchEntity", "Policy "+tt.arn+" version v99 does not exist or is not attachable.")
		})
	}
	for _, arn := range []string{"arn:aws:iam::aws:policy/AdministratorAccess", "arn:aws:iam::111111111111:policy/nope", "arn:aws:iam::222222222222:policy/ecr-push"} {
		_, err := client.GetPolicy(ctx, &iam.GetPolicyInput{PolicyArn: aws.String(arn)})
		wantAPIError(t, err, "NoSuchEntity", "Policy "+arn+" does not exist or is not attachable.")
	}
	_, err := client.GetPolicy(ctx, &iam.GetPolicyInput{PolicyArn: aws.String("ecr-push")})
	wantAPIError(t, err, "InvalidInput", "ARN ecr-push is not valid.")
}

func TestIAMInlinePolicies(t *testing.T) {
	_, u := startFleet(t, "resources.yaml")
	client := iamClient(u, "us-east-1")
	var names []string
	pages := 0
	for p := iam.NewListRolePoliciesPaginator(client, &iam.ListRolePoliciesInput{RoleName: aws.String("node"), MaxItems: aws.Int32(2)}); p.HasMorePages(); {
		out, err := p.NextPage(ctx)
		if err != nil {
			t.Fatal(err)
		}
		pages++
		names = append(names, out.PolicyNames...)
	}
	if !slices.Equal(names, []string{"inline-ecr", "json-text", "json-mapping"}) || pages != 2 {
		t.Errorf("inline policies %v in %d pages", names, pages)
	}
	tests := []struct {
		policy, want string
	}{
		// A YAML mapping is served as compact JSON in the order written; the
		// unquoted date stays the text it was.
		{"inline-ecr", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["ecr:PutImage"],"Resource":"*"}]}`},
		{"json-text", `{"Version": "2012-10-17", "Statement": [{"Effect": "Deny", "Action": "*", "Resource": "*"}]}`},
		{"json-mapping", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"*"}]}`},
	}
	for _, tt := range tests {
		t.Run(tt.policy, func(t *testing.T) {
			out, err := client.GetRolePolicy(ctx, &iam.GetRolePolicyInput{RoleName: aws.String("node"), PolicyName: aws.String(tt.policy)})
			if err != nil {
				t.Fatal(err)
			}
			if got := decoded(t, out.PolicyDocument); got != tt.want || aws.ToString(out.RoleName) != "node" || aws.ToString(out.PolicyName) != tt.policy {
				t.Errorf("got %s, want %s", got, tt.want)
			}
			// The raw answer is percent-encoded, spaces included.
			if strings.ContainsAny(aws.ToString(out.PolicyDocument), `{" `) {
				t.Errorf("not URL-encoded: %s", aws.ToString(out.PolicyDocument))
			}
		})
	}
	_, err := client.GetRolePolicy(ctx, &iam.GetRolePolicyInput{RoleName: aws.String("node"), PolicyName: aws.String("nope")})
	wantAPIError(t, err, "NoSuchEntity", "The role policy with name nope cannot be found.")
	_, err = client.GetRolePolicy(ctx, &iam.GetRolePolicyInput{RoleName: aws.String("ghost"), PolicyName: aws.String("x")})
	wantAPIError(t, err, "NoSuchEntity", "The role with name ghost cannot be found.")
	out, err := client.ListRolePolicies(ctx, &iam.ListRolePoliciesInput{RoleName: aws.String("bare")})
	if err != nil || len(out.PolicyNames) != 0 || out.IsTruncated {
		t.Errorf("bare role: %v %v", out, err)
	}
	_, err = client.ListRolePolicies(ctx, &iam.ListRolePoliciesInput{RoleName: aws.String("node"), MaxItems: aws.Int32(1001)})
	wantAPIError(t, err, "ValidationError", "")
}
