"""Scripted models with several inputs and structured outputs, for
test/nn/torchscript-many.test.ts, and what PyTorch computes with them.

Request (JSON on stdin): {"dir": ..., "dropoutSeed": D}. Writes into dir:
  two.pt     forward(x, mask, scale: float = 1.0) -> Tensor   (masked mean of tokens, dropout), and encode(x, mask)
  seg.pt     forward(x) -> Dict[str, Tensor] {"out", "aux"}   (torchvision FCN-style: backbone, classifier, aux classifier)
  fcn.pt     the same with 11 classes (fashionSeg's), for the twin study of docs/torchscript.md
  pair.pt    forward(x) -> Tuple[Tensor, Tensor] (logits, hidden)  (HuggingFace-style)
  lists.pt   forward(xs: List[Tensor], k: int) -> List[Tensor]
  detector.pt  forward(images: List[Tensor], targets: Optional[List[Dict[str, Tensor]]] = None)
             -> Tuple[Dict[str, Tensor], List[Dict[str, Tensor]]]   (torchvision detection's convention)
  tuplein.pt forward(pair: Tuple[Tensor, Tensor], weights: Dict[str, float]) -> Tensor
  dictin.pt  forward(batch: Dict[str, Tensor]) -> Tensor
  floatkeys.pt  a Dict[float, Tensor] result (twin refuses it)
  mixed.pt   forward(x, flag: bool, name: str) -> Tuple[Tensor, Optional[Tensor], int, str]
  throws.pt  forward(x) raises ValueError for negative inputs
  tied.pt    an embedding whose weight the decoder shares (decoder.weight = embedding.weight)
  tied-both.safetensors  tied.pt's PyTorch state_dict: both paths of the tied tensor (safetensors_io.save)
  inputs.safetensors     the inputs the tests feed
  expected.safetensors   per case: the training-mode outputs (dropout drawn after torch.manual_seed(D),
                         as twin's module given Generator(D)), the loss and every parameter's gradient
                         after one backward, and the eval-mode outputs.
Each model is loaded back with torch.jit.load (the file twin loads) before it runs.
"""
import json
import sys
from typing import Dict, List, Optional, Tuple

import torch
import torch.nn as nn
import torch.nn.functional as F

sys.path.insert(0, __import__("os").path.dirname(__file__))
from safetensors_io import save  # noqa: E402
from tied_model import Tied  # noqa: E402

torch.set_num_threads(1)


class TwoInputs(nn.Module):
    """Tokens x [B, T, 8] and a padding mask [B, T] (True = a token): the mean of the tokens' features."""

    def __init__(self):
        super().__init__()
        self.embed = nn.Linear(8, 16)
        self.head = nn.Linear(16, 5)

    def forward(self, x, mask, scale: float = 1.0):
        h = F.dropout(F.relu(self.embed(x)), 0.25, self.training)
        h = h.masked_fill(~mask.unsqueeze(-1), 0.0)
        pooled = h.sum(1) / mask.sum(1, keepdim=True).clamp(min=1)
        return self.head(pooled) * scale

    @torch.jit.export
    def encode(self, x, mask) -> torch.Tensor:
        """The tokens' features, padding zeroed: a method besides forward (model.callMethod("encode", ...) in twin)."""
        return F.dropout(F.relu(self.embed(x)), 0.25, self.training).masked_fill(~mask.unsqueeze(-1), 0.0)


class Segmenter(nn.Module):
    """torchvision's FCN layout in small: a backbone, a classifier and an auxiliary classifier, both upsampled."""

    def __init__(self, classes: int = 3):
        super().__init__()
        self.backbone = nn.Sequential(nn.Conv2d(1, 8, 3, padding=1), nn.BatchNorm2d(8), nn.ReLU(), nn.MaxPool2d(2))
        self.classifier = nn.Sequential(nn.Conv2d(8, 8, 3, padding=1), nn.ReLU(), nn.Dropout(0.1), nn.Conv2d(8, classes, 1))
        self.aux_classifier = nn.Conv2d(8, classes, 1)

    def forward(self, x) -> Dict[str, torch.Tensor]:
        size = x.shape[-2:]
        features = self.backbone(x)
        out = F.interpolate(self.classifier(features), size=size, mode="bilinear", align_corners=False)
        aux = F.interpolate(self.aux_classifier(features), size=size, mode="bilinear", align_corners=False)
        return {"out": out, "aux": aux}


class LogitsAndHidden(nn.Module):
    def __init__(self):
        super().__init__()
        self.body = nn.Linear(16, 12)
        self.head = nn.Linear(12, 4)

    def forward(self, x) -> Tuple[torch.Tensor, torch.Tensor]:
        hidden = torch.tanh(self.body(x))
        return self.head(F.dropout(hidden, 0.2, self.training)), hidden


class Lists(nn.Module):
    def forward(self, xs: List[torch.Tensor], k: int) -> List[torch.Tensor]:
        return [x * k for x in xs]


class Detector(nn.Module):
    """torchvision detection's calling convention: images of different sizes, optional targets, (losses, detections)."""

    def __init__(self):
        super().__init__()
        self.backbone = nn.Conv2d(1, 4, 3, padding=1)
        self.box = nn.Linear(4, 4)
        self.cls = nn.Linear(4, 3)

    def forward(self, images: List[torch.Tensor], targets: Optional[List[Dict[str, torch.Tensor]]] = None) -> Tuple[Dict[str, torch.Tensor], List[Dict[str, torch.Tensor]]]:
        losses: Dict[str, torch.Tensor] = {}
        detections: List[Dict[str, torch.Tensor]] = []
        box_losses: List[torch.Tensor] = []
        cls_losses: List[torch.Tensor] = []
        for i, image in enumerate(images):
            features = F.relu(self.backbone(image.unsqueeze(0))).mean((2, 3))
            boxes = self.box(features)
            scores = self.cls(features)
            detections.append({"boxes": boxes, "scores": scores.softmax(-1)})
            if targets is not None:
                box_losses.append(F.smooth_l1_loss(boxes, targets[i]["boxes"]))
                cls_losses.append(F.cross_entropy(scores, targets[i]["labels"]))
        if targets is not None:
            losses["loss_box"] = torch.stack(box_losses).mean()
            losses["loss_cls"] = torch.stack(cls_losses).mean()
        return losses, detections


class TupleIn(nn.Module):
    def forward(self, pair: Tuple[torch.Tensor, torch.Tensor], weights: Dict[str, float]) -> torch.Tensor:
        return pair[0] * weights["a"] + pair[1] * weights["b"]


class DictIn(nn.Module):
    def forward(self, batch: Dict[str, torch.Tensor]) -> torch.Tensor:
        return batch["x"]


class FloatKeys(nn.Module):
    def forward(self, x) -> Dict[float, torch.Tensor]:
        return {0.5: x * 2, 1.5: x}


class Mixed(nn.Module):
    def forward(self, x, flag: bool, name: str) -> Tuple[torch.Tensor, Optional[torch.Tensor], int, str]:
        return x, (x if flag else None), x.size(0), name + "!"


class Throws(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc = nn.Linear(4, 2)

    def forward(self, x):
        if bool((x < 0).any()):
            raise ValueError("inputs must be non-negative")
        return self.fc(x)


def run(model, seed, args):
    torch.manual_seed(seed)
    return model(*args)


def main():
    req = json.load(sys.stdin)
    d, seed = req["dir"], req["dropoutSeed"]
    torch.manual_seed(0)
    for name, module in [("two", TwoInputs()), ("seg", Segmenter()), ("fcn", Segmenter(11)), ("pair", LogitsAndHidden()), ("lists", Lists()), ("dictin", DictIn()), ("detector", Detector()), ("tuplein", TupleIn()), ("floatkeys", FloatKeys()), ("mixed", Mixed()), ("throws", Throws()), ("tied", Tied())]:
        torch.jit.script(module).save(f"{d}/{name}.pt")
    tied = torch.jit.load(f"{d}/tied.pt")
    save(f"{d}/tied-both.safetensors", {k: v.detach().clone() for k, v in tied.state_dict().items()})

    g = torch.Generator().manual_seed(1)
    mask = torch.rand(6, 5, generator=g) > 0.3
    mask[0] = False  # an example with no token at all
    inputs = {
        "two.x": torch.randn(6, 5, 8, generator=g),
        "two.mask": mask,
        "two.y": torch.randint(0, 5, (6,), generator=g),
        "seg.x": torch.randn(4, 1, 12, 12, generator=g),
        "seg.masks": torch.randint(0, 3, (4, 12, 12), generator=g),
        "pair.x": torch.randn(6, 16, generator=g),
        "pair.y": torch.randint(0, 4, (6,), generator=g),
        "det.image0": torch.randn(1, 10, 12, generator=g),
        "det.image1": torch.randn(1, 8, 8, generator=g),
        "det.boxes0": torch.rand(1, 4, generator=g),
        "det.boxes1": torch.rand(1, 4, generator=g),
        "det.labels0": torch.tensor([2]),
        "det.labels1": torch.tensor([0]),
    }
    save(f"{d}/inputs.safetensors", inputs)

    expected = {}

    def record(name, model, train_args, eval_args, loss_of):
        model.train()
        out = run(model, seed, train_args)
        loss = loss_of(out)
        loss.backward()
        outputs = out if isinstance(out, dict) else dict(enumerate(out)) if isinstance(out, tuple) else {"": out}
        for key, t in outputs.items():
            expected[f"{name}.train{'.' + str(key) if key != '' else ''}"] = t.detach()
        expected[f"{name}.loss"] = loss.detach().reshape(1)
        for path, p in model.named_parameters():
            expected[f"{name}.grad.{path}"] = p.grad.detach().clone()
        model.eval()
        with torch.no_grad():
            out = model(*eval_args)
        outputs = out if isinstance(out, dict) else dict(enumerate(out)) if isinstance(out, tuple) else {"": out}
        for key, t in outputs.items():
            expected[f"{name}.eval{'.' + str(key) if key != '' else ''}"] = t.detach()

    i = inputs
    record("two", torch.jit.load(f"{d}/two.pt"), (i["two.x"], i["two.mask"], 0.5), (i["two.x"], i["two.mask"]),
           lambda out: F.cross_entropy(out, i["two.y"]))
    record("seg", torch.jit.load(f"{d}/seg.pt"), (i["seg.x"],), (i["seg.x"],),
           lambda out: F.cross_entropy(out["out"], i["seg.masks"]) + 0.5 * F.cross_entropy(out["aux"], i["seg.masks"]))
    record("pair", torch.jit.load(f"{d}/pair.pt"), (i["pair.x"],), (i["pair.x"],),
           lambda out: F.cross_entropy(out[0], i["pair.y"]) + 0.1 * out[1].pow(2).mean())
    two = torch.jit.load(f"{d}/two.pt").train()
    torch.manual_seed(seed)
    expected["two.encode"] = two.encode(i["two.x"], i["two.mask"]).detach()
    detector = torch.jit.load(f"{d}/detector.pt")
    images = [i["det.image0"], i["det.image1"]]
    targets = [{"boxes": i["det.boxes0"], "labels": i["det.labels0"]}, {"boxes": i["det.boxes1"], "labels": i["det.labels1"]}]
    losses, detections = detector(images, targets)
    for key, t in losses.items():
        expected[f"det.train.{key}"] = t.detach().reshape(1)
    for n, found in enumerate(detections):
        for key, t in found.items():
            expected[f"det.train.{n}.{key}"] = t.detach()
    (losses["loss_box"] + losses["loss_cls"]).backward()
    for path, p in detector.named_parameters():
        expected[f"det.grad.{path}"] = p.grad.detach().clone()
    save(f"{d}/expected.safetensors", {k: v.contiguous() for k, v in expected.items()})
    print(json.dumps({"expected": len(expected)}))


main()
