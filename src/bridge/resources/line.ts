// Line data: `GET connection/xdsl/` and `GET connection/ftth/` (freebox-api-connection).
// SPECIAL: each is read only on its own media, right after `connection` tells which one the line
// runs on (essentials §8), and the other one is forgotten and cleared after a media change
// (bridge.ts readLine). Their entities exist only for that media (entities.ts names them).
import type { FtthStatus, XdslInfo } from "../../freebox/types.js";
import { ftthState, xdslState } from "../state.js";
import type { ResourceDef } from "./def.js";

export const xdsl: ResourceDef<"xdsl", XdslInfo> = {
  id: "xdsl",
  group: "status",
  topic: "connection/xdsl",
  media: "xdsl",
  read: (api) => api.getXdsl(),
  state: (raw) => xdslState(raw),
};

export const ftth: ResourceDef<"ftth", FtthStatus> = {
  id: "ftth",
  group: "status",
  topic: "connection/ftth",
  media: "ftth",
  read: (api) => api.getFtth(),
  state: (raw) => ftthState(raw),
};
