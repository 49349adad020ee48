package testenv

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// WriteMonorepo writes a platform monorepo of about 5,000 files and 70 MB in which IaC is the
// minority: 45 Helm charts of 100 templates (YAML with {{ }} directives that no IaC reader parses),
// 300 CustomResourceDefinitions of about 100 KB (OpenAPI schemas, many documents per file), 150
// Grafana dashboards of about 120 KB (JSON), and 20 Terraform roots of 10 files holding a cluster
// each. It returns the number of files and bytes written.
func WriteMonorepo(tb testing.TB, dir string) (files int, size int64) {
	tb.Helper()
	write := func(rel, text string) {
		p := filepath.Join(dir, filepath.FromSlash(rel))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			tb.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
			tb.Fatal(err)
		}
		files++
		size += int64(len(text))
	}
	for c := 0; c < 45; c++ {
		chart := fmt.Sprintf("charts/service-%02d", c)
		write(chart+"/Chart.yaml", fmt.Sprintf("apiVersion: v2\nname: service-%02d\nversion: 1.%d.0\n", c, c))
		write(chart+"/values.yaml", "replicaCount: 2\nimage:\n  repository: registry.example.com/service\n  tag: \"1.0\"\nresources:\n  limits:\n    cpu: 500m\n")
		for t := 0; t < 98; t++ {
			var b strings.Builder
			for d := 0; d < 3; d++ {
				fmt.Fprintf(&b, `---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: {{ include "service.fullname" . }}-%d-%d
  labels:
    {{- include "service.labels" . | nindent 4 }}
spec:
  replicas: {{ .Values.replicaCount }}
  template:
    spec:
      containers:
        - name: app
          image: "{{ .Values.image.repository }}:{{ .Values.image.tag }}"
          {{- with .Values.resources }}
          resources:
            {{- toYaml . | nindent 12 }}
          {{- end }}
`, t, d)
			}
			write(fmt.Sprintf("%s/templates/t%02d.yaml", chart, t), b.String())
		}
	}
	prop := func(b *strings.Builder, depth, i int) {
		fmt.Fprintf(b, "%sfield%d:\n%s  type: string\n%s  description: A setting of the operator, documented at length so that the schema is as large as real ones are.\n", strings.Repeat("  ", depth), i, strings.Repeat("  ", depth), strings.Repeat("  ", depth))
	}
	for c := 0; c < 300; c++ {
		var b strings.Builder
		fmt.Fprintf(&b, "apiVersion: apiextensions.k8s.io/v1\nkind: CustomResourceDefinition\nmetadata:\n  name: widgets%d.example.com\nspec:\n  group: example.com\n  versions:\n    - name: v1\n      schema:\n        openAPIV3Schema:\n          type: object\n          properties:\n", c)
		for i := 0; i < 700; i++ {
			prop(&b, 6, i)
		}
		write(fmt.Sprintf("crds/widgets%03d.yaml", c), b.String())
	}
	for d := 0; d < 150; d++ {
		var b strings.Builder
		fmt.Fprintf(&b, "{\n  \"title\": \"Service %d\",\n  \"panels\": [\n", d)
		for p := 0; p < 400; p++ {
			if p > 0 {
				b.WriteString(",\n")
			}
			fmt.Fprintf(&b, `    {"id": %d, "type": "timeseries", "title": "Requests %d", "targets": [{"expr": "sum(rate(http_requests_total{service=\"svc-%d\"}[5m])) by (code)", "legendFormat": "{{code}}"}], "gridPos": {"h": 8, "w": 12, "x": 0, "y": %d}}`, p, p, d, p*8)
		}
		b.WriteString("\n  ]\n}\n")
		write(fmt.Sprintf("dashboards/service-%03d.json", d), b.String())
	}
	sub := filepath.Join(dir, "infra")
	for _, w := range WriteTerraformTree(tb, sub, 20) {
		if fi, err := os.Stat(w); err == nil {
			files++
			size += fi.Size()
		}
	}
	return files, size
}
