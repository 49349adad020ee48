package emulator

import (
	"slices"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ecr"
	ecrtypes "github.com/aws/aws-sdk-go-v2/service/ecr/types"
)

func TestDescribeRepositories(t *testing.T) {
	_, u := startFleet(t, "resources.yaml")
	client := ecrClient(u, "us-east-1")
	all := []string{"team/app", "team/worker", "base/alpine", "prod-api", "scratch"}
	tests := []struct {
		name  string
		in    ecr.DescribeRepositoriesInput
		want  []string
		pages int
	}{
		{"one page", ecr.DescribeRepositoriesInput{}, all, 1},
		{"pages of two", ecr.DescribeRepositoriesInput{MaxResults: aws.Int32(2)}, all, 3},
		{"pages of the maximum", ecr.DescribeRepositoriesInput{MaxResults: aws.Int32(1000)}, all, 1},
		{"by name", ecr.DescribeRepositoriesInput{RepositoryNames: []string{"scratch", "team/app"}}, []string{"scratch", "team/app"}, 1},
		{"own registry id", ecr.DescribeRepositoriesInput{RegistryId: aws.String("111111111111"), MaxResults: aws.Int32(4)}, all, 2},
		{"another registry", ecr.DescribeRepositoriesInput{RegistryId: aws.String("222222222222")}, nil, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var got []string
			pages := 0
			for p := ecr.NewDescribeRepositoriesPaginator(client, &tt.in); p.HasMorePages(); {
				out, err := p.NextPage(ctx)
				if err != nil {
					t.Fatal(err)
				}
				pages++
				for _, r := range out.Repositories {
					got = append(got, aws.ToString(r.RepositoryName))
				}
			}
			if !slices.Equal(got, tt.want) || pages != tt.pages {
				t.Errorf("got %v in %d pages, want %v in %d", got, pages, tt.want, tt.pages)
			}
		})
	}

	out, err := client.DescribeRepositories(ctx, &ecr.DescribeRepositoriesInput{})
	if err != nil {
		t.Fatal(err)
	}
	byName := map[string]ecrtypes.Repository{}
	for _, r := range out.Repositories {
		byName[aws.ToString(r.RepositoryName)] = r
	}
	checks := []struct {
		repo       string
		scanOnPush bool
		mutability ecrtypes.ImageTagMutability
		encryption ecrtypes.EncryptionType
		kmsKey     string
		created    time.Time
	}{
		{"team/app", true, "IMMUTABLE", "AES256", "", defaultCreatedAt},
		{"team/worker", false, "MUTABLE", "AES256", "", defaultCreatedAt},
		{"base/alpine", false, "MUTABLE", "KMS", "arn:aws:kms:us-east-1:111111111111:key/k1", time.Date(2023, 5, 1, 0, 0, 0, 0, time.UTC)},
	}
	for _, c := range checks {
		r := byName[c.repo]
		if r.ImageScanningConfiguration == nil || r.ImageScanningConfiguration.ScanOnPush != c.scanOnPush || r.ImageTagMutability != c.mutability ||
			r.EncryptionConfiguration == nil || r.EncryptionConfiguration.EncryptionType != c.encryption || aws.ToString(r.EncryptionConfiguration.KmsKey) != c.kmsKey ||
			r.CreatedAt == nil || !r.CreatedAt.Equal(c.created) || aws.ToString(r.RegistryId) != "111111111111" ||
			aws.ToString(r.RepositoryArn) != "arn:aws:ecr:us-east-1:111111111111:repository/"+c.repo ||
			aws.ToString(r.RepositoryUri) != "111111111111.dkr.ecr.us-east-1.amazonaws.com/"+c.repo {
			t.Errorf("%s: %+v", c.repo, r)
		}
	}

	_, err = client.DescribeRepositories(ctx, &ecr.DescribeRepositoriesInput{RepositoryNames: []string{"team/app", "nope"}})
	wantAPIError(t, err, "RepositoryNotFoundException", "The repository with name 'nope' does not exist in the registry with id '111111111111'")
	_, err = client.DescribeRepositories(ctx, &ecr.DescribeRepositoriesInput{MaxResults: aws.Int32(1001)})
	wantAPIError(t, err, "ValidationException", "")
	_, err = client.DescribeRepositories(ctx, &ecr.DescribeRepositoriesInput{NextToken: aws.String("forged")})
	wantAPIError(t, err, "InvalidParameterException", "")
	// A region without repositories has none; a disabled one refuses.
	empty, err := ecrClient(u, "us-west-2").DescribeRepositories(ctx, &ecr.DescribeRepositoriesInput{})
	if err != nil || len(empty.Repositories) != 0 {
		t.Errorf("empty region: %v %v", empty, err)
	}
	_, err = ecrClient(u, "eu-west-1").DescribeRepositories(ctx, &ecr.DescribeRepositoriesInput{})
	wantAPIError(t, err, "UnrecognizedClientException", "")
}

func TestGetRegistryScanningConfiguration(t *testing.T) {
	_, u := startFleet(t, "resources.yaml")
	tests := []struct {
		name, region string
		scanType     ecrtypes.ScanType
		rules        []string // frequency=filter/type
	}{
		{"declared", "us-east-1", "ENHANCED", []string{"CONTINUOUS_SCAN=prod*/WILDCARD", "SCAN_ON_PUSH=*/WILDCARD"}},
		{"ECR's default", "us-west-2", "BASIC", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out, err := ecrClient(u, tt.region).GetRegistryScanningConfiguration(ctx, &ecr.GetRegistryScanningConfigurationInput{})
			if err != nil {
				t.Fatal(err)
			}
			var rules []string
			for _, r := range out.ScanningConfiguration.Rules {
				for _, f := range r.RepositoryFilters {
					rules = append(rules, string(r.ScanFrequency)+"="+aws.ToString(f.Filter)+"/"+string(f.FilterType))
				}
			}
			if aws.ToString(out.RegistryId) != "111111111111" || out.ScanningConfiguration.ScanType != tt.scanType || !slices.Equal(rules, tt.rules) {
				t.Errorf("got %s %s %v", aws.ToString(out.RegistryId), out.ScanningConfiguration.ScanType, rules)
			}
		})
	}
}
