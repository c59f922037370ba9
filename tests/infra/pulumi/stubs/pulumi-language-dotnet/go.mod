// Stand-in for github.com/pulumi/pulumi-dotnet/pulumi-language-dotnet/v3,
// which the Go module proxy does not serve. docker-build only puts
// codegen.CSharpPackageInfo into its schema's "language" section.
module github.com/pulumi/pulumi-dotnet/pulumi-language-dotnet/v3

go 1.24
