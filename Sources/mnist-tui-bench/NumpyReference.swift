import Foundation

/// The numpy reference trainer (../shared/reference/mlp_numpy.py), run for the same epochs.
struct NumpyReference {
    var script: String
    var dataFolder: String
    var epochs: Int
    var threads: Int
    var batchSize: Int

    /// Training-pass seconds per epoch, run with `environment`; each epoch's line is echoed via `echo`.
    func epochSeconds(environment: [String: String], echo: (String) -> Void) throws -> [Double] {
        var seconds: [Double] = []
        try ChildProcess.run("/usr/bin/env", ["python3", script, "--data", dataFolder, "--epochs", String(epochs),
                                              "--threads", String(threads), "--batch", String(batchSize), "--json"],
                             environment: environment, name: script) { line in
            guard let object = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any],
                  let value = object["train_seconds"] as? Double else {
                echo("  (unexpected output) \(line)")
                return
            }
            seconds.append(value)
            let accuracy = (object["test_accuracy"] as? Double).map { ", test accuracy \(fmt($0 * 100, 2))%" } ?? ""
            echo("  epoch \(seconds.count): train \(fmt(value, 3)) s\(accuracy)")
        }
        guard seconds.count == epochs else {
            throw BenchFailure(description: "\(script): printed \(seconds.count) epochs, expected \(epochs)")
        }
        return seconds
    }

    /// The OpenBLAS kernel numpy's own OpenBLAS picks in `environment` ("?" when it cannot be asked:
    /// only numpy wheels bundling (scipy-)OpenBLAS export the call).
    static func kernel(environment: [String: String]) -> String {
        let probe = """
            import ctypes, glob, os, numpy
            folder = os.path.join(os.path.dirname(numpy.__file__), os.pardir, "numpy.libs")
            for path in glob.glob(os.path.join(folder, "*openblas*")):
                lib = ctypes.CDLL(path)
                for name in ("scipy_openblas_get_corename64_", "scipy_openblas_get_corename",
                             "openblas_get_corename64_", "openblas_get_corename"):
                    f = getattr(lib, name, None)
                    if f is not None:
                        f.restype = ctypes.c_char_p
                        print(f().decode())
                        raise SystemExit
            print("?")
            """
        var name = "?"
        try? ChildProcess.run("/usr/bin/env", ["python3", "-c", probe], environment: environment,
                              name: "numpy kernel probe", discardErrors: true) { line in
            if !line.isEmpty { name = line }
        }
        return name
    }
}
