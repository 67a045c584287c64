extension JSONValue {
    /// Renders the value as JSON text indented by two spaces per level, one member or element
    /// per line, in member order, ending in a newline.
    public func prettyPrinted() -> String {
        var text = ""
        appendPretty(to: &text, indent: "")
        text += "\n"
        return text
    }

    private func appendPretty(to text: inout String, indent: String) {
        let inner = indent + "  "
        switch self {
        case .object(let object) where !object.isEmpty:
            text += "{\n"
            for (position, member) in object.enumerated() {
                text += inner + JSONValue.string(member.key).encodedString() + ": "
                member.value.appendPretty(to: &text, indent: inner)
                text += position == object.count - 1 ? "\n" : ",\n"
            }
            text += indent + "}"
        case .array(let elements) where !elements.isEmpty:
            text += "[\n"
            for (position, element) in elements.enumerated() {
                text += inner
                element.appendPretty(to: &text, indent: inner)
                text += position == elements.count - 1 ? "\n" : ",\n"
            }
            text += indent + "]"
        default:
            text += encodedString()
        }
    }
}
