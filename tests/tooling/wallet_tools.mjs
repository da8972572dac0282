// The ledger through the tools a donor, an auditor or a payee brings: ethers v6 and viem 2.
//
// Run by tests/tooling/test_wallet_tools.py as `node wallet_tools.mjs INPUT.json`; prints one JSON object.
// Against the node at input.url it reads blocks, receipts and logs with both libraries, decodes the
// deposit token's events with the product's ABI, polls a log filter as each library does
// (eth_newFilter + eth_getFilterChanges) while an ethers wallet sends a transfer it signed itself
// (eth_sendRawTransaction), and signs the payment order's typed data, exactly as the product hands it
// out, as the payee with each library, plus an ethers signature over a tampered amount.
import { readFileSync } from "node:fs";
import { ethers } from "ethers";
import { createPublicClient, decodeEventLog, http } from "viem";
import { privateKeyToAccount } from "viem/accounts";

const input = JSON.parse(readFileSync(process.argv[2], "utf8"));
const step = (what) => console.error(`wallet_tools: ${what}`);
const deadline = Date.now() + 30_000;

function withoutDomainType(types) {
  const { EIP712Domain, ...rest } = types;
  return rest;
}

async function until(what, check) {
  for (;;) {
    const value = await check();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

const provider = new ethers.JsonRpcProvider(input.url);
provider.pollingInterval = 50;
const viem = createPublicClient({ transport: http(input.url) });
const tokenInterface = new ethers.Interface(input.tokenAbi);

step("reads");
// ---- reads
const out = { ethers: {}, viem: {} };
out.ethers.chainId = Number((await provider.getNetwork()).chainId);
out.viem.chainId = await viem.getChainId();
const knownReceipt = await provider.getTransactionReceipt(input.knownTx);
out.ethers.receipt = { blockNumber: knownReceipt.blockNumber, status: knownReceipt.status, logs: knownReceipt.logs.length };
const viemReceipt = await viem.getTransactionReceipt({ hash: input.knownTx });
out.viem.receipt = { blockNumber: Number(viemReceipt.blockNumber), status: viemReceipt.status, logs: viemReceipt.logs.length };
const block = await provider.getBlock(knownReceipt.blockNumber, true);
out.ethers.block = { hash: block.hash, transactions: block.transactions.length, first: block.prefetchedTransactions[0].hash };
const viemBlock = await viem.getBlock({ blockNumber: BigInt(knownReceipt.blockNumber), includeTransactions: true });
out.viem.block = { hash: viemBlock.hash, transactions: viemBlock.transactions.length, first: viemBlock.transactions[0].hash };
const logs = await provider.getLogs({ address: input.token, fromBlock: 0, toBlock: "latest" });
out.ethers.transfers = logs
  .map((log) => tokenInterface.parseLog(log))
  .filter((event) => event && event.name === "Transfer")
  .map((event) => ({ from: event.args.from, to: event.args.to, value: event.args.value.toString() }));
const viemLogs = await viem.getLogs({ address: input.token, fromBlock: 0n, toBlock: "latest" });
out.viem.transfers = viemLogs
  .map((log) => {
    try {
      return decodeEventLog({ abi: input.tokenAbi, data: log.data, topics: log.topics });
    } catch {
      return null;
    }
  })
  .filter((event) => event && event.eventName === "Transfer")
  .map((event) => ({ from: event.args.from, to: event.args.to, value: event.args.value.toString() }));

step("filters");
// ---- log filters, polled while an ethers wallet sends a transfer it signed
const seenByEthers = [];
const token = new ethers.Contract(input.token, input.tokenAbi, provider);
await token.on("Transfer", (from, to, value, event) => {
  seenByEthers.push({ tx: event.log.transactionHash, to, value: value.toString() });
});
const viemFilter = await viem.createContractEventFilter({ abi: input.tokenAbi, address: input.token, eventName: "Transfer" });
await new Promise((resolve) => setTimeout(resolve, 300)); // let ethers install its filter
const wallet = new ethers.Wallet(input.senderKey, provider);
step("send");
const sent = await token.connect(wallet).transfer(input.recipient, 1n);
step(`sent ${sent.hash}`);
// Not sent.wait(): it checks for the receipt once, then waits for the next block event, and a chain that
// mines only on demand may have mined the transaction in between, with no further block to come.
const mined = await until("the receipt", () => provider.getTransactionReceipt(sent.hash));
step("mined");
out.sent = { hash: sent.hash, status: mined.status, blockNumber: mined.blockNumber };
const seenByViem = [];
await until("viem's filter", async () => {
  for (const change of await viem.getFilterChanges({ filter: viemFilter })) {
    seenByViem.push({ tx: change.transactionHash, to: change.args.to, value: change.args.value.toString() });
  }
  return seenByViem.length > 0;
});
await until("ethers' filter", async () => seenByEthers.length > 0);
await token.removeAllListeners(); // ethers uninstalls its filter (eth_uninstallFilter)
await viem.uninstallFilter({ filter: viemFilter });
out.ethers.filtered = seenByEthers;
out.viem.filtered = seenByViem;

step("typed data");
// ---- the payee signs the payment order's typed data, exactly as the product hands it out
const typed = input.typedData;
const types = withoutDomainType(typed.types);
const payee = new ethers.Wallet(input.payeeKey);
out.ethers.signature = await payee.signTypedData(typed.domain, types, typed.message);
const viemPayee = privateKeyToAccount(input.payeeKey);
out.viem.signature = await viemPayee.signTypedData({
  domain: typed.domain,
  types,
  primaryType: typed.primaryType,
  message: typed.message,
});
const tampered = { ...typed.message, amount: (BigInt(typed.message.amount) + 1n).toString() };
out.tampered = { amount: tampered.amount, signature: await payee.signTypedData(typed.domain, types, tampered) };
out.ethers.digest = ethers.TypedDataEncoder.hash(typed.domain, types, typed.message);

console.log(JSON.stringify(out));
process.exit(0); // the ethers provider's poller would keep the event loop alive
