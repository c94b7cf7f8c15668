package org.uuidmig.cli;

import picocli.CommandLine.Option;

/**
 * {@code --help} and {@code --version}, as picocli's standard help options, but with psql's short form
 * {@code -?} for help: {@code -h} is the host, as in psql (it used to mean help, so that
 * {@code uuidmig migrate -h db.example} printed the help and exited 0, having done nothing).
 */
public class HelpOptions {
    @Option(names = {"-?", "--help"}, usageHelp = true, description = "Show this help message and exit.")
    boolean help;

    @Option(names = {"-V", "--version"}, versionHelp = true, description = "Print version information and exit.")
    boolean version;
}
