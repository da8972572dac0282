// Hardhat compiles contracts/ offline with the solcjs build in node_modules/solc, with the same
// settings as chain_client/compiler.py (SOLC_SETTINGS), so that both give the same bytecode.
// tests/contracts/test_toolchain.py checks that they do.
const { subtask } = require("hardhat/config");
const { TASK_COMPILE_SOLIDITY_GET_SOLC_BUILD } = require("hardhat/builtin-tasks/task-names");

// Never stop for the telemetry question, in CI or in a terminal.
process.env.HARDHAT_DISABLE_TELEMETRY_PROMPT ??= "true";

const SOLC_VERSION = require("solc/package.json").version;

// Hardhat would download a native solc (or its wasm build) for this version; neither is reachable
// here, so hand it the local one.
subtask(TASK_COMPILE_SOLIDITY_GET_SOLC_BUILD, async (args, _hre, runSuper) => {
  if (args.solcVersion !== SOLC_VERSION) {
    return runSuper();
  }
  const solc = require("solc"); // loads soljson.js, so only when a compilation needs it
  return {
    compilerPath: require.resolve("solc/soljson.js"),
    isSolcJs: true,
    version: SOLC_VERSION,
    longVersion: solc.version().replace(/\.Emscripten\.clang$/, ""),
  };
});

/** @type {import("hardhat/config").HardhatUserConfig} */
module.exports = {
  solidity: {
    version: SOLC_VERSION,
    settings: {
      optimizer: { enabled: true, runs: 200 },
      evmVersion: "prague",
    },
  },
  networks: {
    hardhat: { hardfork: "prague" },
  },
  paths: {
    sources: "./contracts",
    artifacts: "./.hardhat/artifacts",
    cache: "./.hardhat/cache",
  },
};
