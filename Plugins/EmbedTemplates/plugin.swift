import Foundation
import PackagePlugin

/// Embeds every `.json` file of the package's `Templates/` folder into the target that uses this
/// plugin, as `EmbeddedTemplates.files`.
@main
struct EmbedTemplates: BuildToolPlugin {
    func createBuildCommands(context: PluginContext, target: Target) async throws -> [Command] {
        let templates = context.package.directoryURL.appending(path: "Templates")
        let names = try FileManager.default.contentsOfDirectory(atPath: templates.path())
            .filter { $0.hasSuffix(".json") }
            .sorted()
        let inputs = names.map { templates.appending(path: $0) }
        let output = context.pluginWorkDirectoryURL.appending(path: "EmbeddedTemplates.swift")
        let tool = try context.tool(named: "TemplateEmbedder")
        return [
            .buildCommand(
                displayName: "Embedding \(names.count) files of Templates/",
                executable: tool.url,
                arguments: [output.path()] + zip(names, inputs).map { "\($0)=\($1.path())" },
                inputFiles: inputs,
                outputFiles: [output]
            )
        ]
    }
}
