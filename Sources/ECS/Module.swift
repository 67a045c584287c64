// Placeholder until the module lands.
let embeddedFileNames = EmbeddedTemplates.files.keys.sorted()
