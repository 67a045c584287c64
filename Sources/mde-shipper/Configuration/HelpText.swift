/// The `--help` text, generated from `OptionTable` so every option shows its variable and default.
enum HelpText {
    static func render(version: String) -> String {
        var text = """
            mde-shipper \(version): ships Microsoft Defender for Endpoint alerts into Elasticsearch or OpenSearch as ECS documents.

            Usage:
              mde-shipper run [--once] [options]      poll the Defender API and ship new and updated alerts
              mde-shipper backfill --since T [--until T] [options]
                                                      ship the alerts last updated from T until --until (default now
                                                      minus --lag), window by window; a rerun without --since, or
                                                      with the same --since, resumes after the last delivered window
              mde-shipper replay FILE|- [options]     ship alerts from a saved API response, alert objects or NDJSON
              mde-shipper template print [options]    print the index template and component templates as JSON
              mde-shipper template install [options]  install them into the cluster
              mde-shipper template fields [options]   list every field written, with type and source (--fields-format)
              mde-shipper template targets            list the cluster versions of the templates in Templates/generated/
              mde-shipper dead-letter replay [FILE]   resend dead-lettered documents after the cause was fixed; FILE
                                                      defaults to --dead-letter-file. Lines that fail again or are
                                                      malformed stay in FILE and the rest are removed. Exit 0 when
                                                      every line was resolved, 1 otherwise. Best run with the
                                                      shipper that writes FILE stopped; rotated files (FILE.1 ...)
                                                      are safe to replay while it runs
              mde-shipper check [options]             check the Defender credentials and permissions, the cluster's
                                                      hosts, authentication, release and privileges, and the state
                                                      directories; print one line per check. Exit 0 when no check
                                                      failed (warnings allowed), 1 when one failed, 2 for invalid
                                                      configuration or nothing to check
              mde-shipper --help | --version

            Without --hosts (ELASTICSEARCH_HOSTS), documents are written to standard output as _bulk NDJSON.
            Precedence: command-line flags, then environment variables, then the config file, then defaults.

            """
        for group in OptionSpec.Group.allCases {
            text += "\n\(group.rawValue):\n"
            for spec in OptionTable.all where spec.group == group {
                text += line(for: spec)
            }
        }
        return text
    }

    private static func line(for spec: OptionSpec) -> String {
        // Secrets have no flag: the line names the config-file key, and the details the variables.
        var flag = spec.acceptsFlag ? "  --\(spec.name)" : "  \(spec.name) (no flag; config-file key)"
        switch spec.kind {
        case .flag: break
        case .integer: flag += " N"
        case .duration: flag += " DURATION"
        case .byteSize: flag += " SIZE"
        case .list: flag += " A,B"
        case .choice(let choices): flag += " " + choices.joined(separator: "|")
        case .text: flag += spec.acceptsFlag ? " VALUE" : ""
        }
        var details: [String] = []
        if let variable = spec.environment {
            details.append(spec.isSecret ? "env \(variable) or \(variable)_FILE" : "env \(variable)")
        }
        if let value = spec.defaultValue, spec.kind != .flag {
            details.append("default \(value)")
        }
        let suffix = details.isEmpty ? "" : " [\(details.joined(separator: "; "))]"
        return flag + "\n      " + spec.help + suffix + "\n"
    }
}
