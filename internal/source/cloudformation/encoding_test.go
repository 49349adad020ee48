package cloudformation

import (
	"strings"
	"testing"

	"github.com/eksguard/eksguard/internal/source/iac"
)

// latin1Template is a template saved in Windows-1252 by an editor: "é" is the single byte 0xE9,
// which is not UTF-8. Each case puts it on one line.
const latin1Template = `AWSTemplateFormatVersion: "2010-09-09"{1}
Description: EKS cluster for the {2} team
Resources:
  Cluster:
    Type: AWS::EKS::Cluster
    Properties:
      RoleArn: arn:aws:iam::111122223333:role/eks-cluster
      ResourcesVpcConfig:
        SubnetIds: [subnet-0a1b2c3d, subnet-4e5f6a7b]
        EndpointPublicAccess: false
        EndpointPrivateAccess: true
Outputs:
  Name:
    Value: !Ref Cluster{3}`

// TestEncodingProblem: a template that is not UTF-8 is a problem at the line and column of the
// first byte that is not, wherever it is.
func TestEncodingProblem(t *testing.T) {
	tests := []struct {
		name, one, two, three string
		want                  string
	}{
		{name: "first line", one: " # caf\xe9", two: "cafe", three: "\n",
			want: "t.yaml:1:45: not valid YAML: invalid trailing UTF-8 octet (byte 0xE9 at column 45)"},
		{name: "middle line", two: "caf\xe9 ", three: "\n",
			want: "t.yaml:2:37: not valid YAML: invalid trailing UTF-8 octet (byte 0xE9 at column 37)"},
		{name: "last line, without a newline", two: "cafe", three: " # caf\xe9",
			want: "t.yaml:14:30: not valid YAML: incomplete UTF-8 octet sequence (byte 0xE9 at column 30)"},
		{name: "last line, a byte that is never UTF-8", two: "cafe", three: " # \xff\n",
			want: "t.yaml:14:27: not valid YAML: invalid leading UTF-8 octet (byte 0xFF at column 27)"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			data := strings.NewReplacer("{1}", tt.one, "{2}", tt.two, "{3}", tt.three).Replace(latin1Template)
			res := scan(&iac.File{Name: "t.yaml", Path: "t.yaml", Data: []byte(data)})
			if len(res.Problems) != 1 || res.Problems[0].String() != tt.want {
				t.Errorf("problems %v, want %s", res.Problems, tt.want)
			}
			if len(res.Claimed) != 1 || len(res.Resources) != 0 {
				t.Errorf("claimed %v, %d resources", res.Claimed, len(res.Resources))
			}
		})
	}
}
