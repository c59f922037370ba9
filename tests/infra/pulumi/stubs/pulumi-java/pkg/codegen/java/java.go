// Package java holds the one type that pulumi-docker-build uses from
// github.com/pulumi/pulumi-java/pkg/codegen/java: the JSON shape of the
// schema's language.java section.
package java

type PackageInfo struct {
	BasePackage                     string            `json:"basePackage"`
	BuildFiles                      string            `json:"buildFiles,omitempty"`
	Dependencies                    map[string]string `json:"dependencies,omitempty"`
	GradleNexusPublishPluginVersion string            `json:"gradleNexusPublishPluginVersion,omitempty"`
	GradleTest                      string            `json:"gradleTest"`
}
