// Package codegen holds the one type that pulumi-docker-build uses from
// pulumi-language-dotnet's codegen: the JSON shape of language.csharp.
package codegen

type CSharpPackageInfo struct {
	PackageReferences    map[string]string `json:"packageReferences,omitempty"`
	RespectSchemaVersion bool              `json:"respectSchemaVersion,omitempty"`
}
