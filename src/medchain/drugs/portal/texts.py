"""Every sentence the portal says, in English and in Chinese (simplified).

Both languages are always shown together: a pack is scanned by patients, pharmacists and
inspectors who may read either. A text is a key with ``str.format`` placeholders; placeholders
carry data (dates, names, temperatures), never words that would need translating.
"""

from __future__ import annotations

from pydantic import BaseModel

TEXTS: dict[str, tuple[str, str]] = {
    # headlines, by verification status
    "genuine": ("Genuine: this pack is registered by its maker and has not been dispensed.",
                "正品：此药盒已由生产企业登记，尚未被发放。"),
    "unknown_serial": ("Not genuine: this code is not one the maker issued. The pack may be counterfeit.",
                       "未通过验证：此追溯码不是生产企业发放的，药品可能是假药。"),
    "dispensed": ("Warning: this pack's serial number was already dispensed to a patient.",
                  "警告：此药盒的序列号已被发放给患者。"),
    "recalled": ("Recalled: do not use this medicine.", "已召回：请勿使用此药品。"),
    "expired": ("Expired: do not use this medicine.", "已过期：请勿使用此药品。"),
    "quarantined": ("Quarantined: the cold chain of this pack was broken; do not use it.",
                    "已隔离：此药盒的冷链运输出现温度异常，请勿使用。"),
    "destroyed": ("Not genuine: the packs with this serial number were written off and destroyed; this pack should not exist.",
                  "未通过验证：该序列号对应的药品已被报废销毁，此药盒不应存在。"),
    "lot": ("This code identifies a batch, not a single pack.", "此代码标识一个批次，而非单个药盒。"),
    "lot_recalled": ("This batch is recalled: do not use its packs.", "此批次已召回：请勿使用该批次药品。"),
    "lot_ok": ("This batch is registered and not recalled.", "此批次已登记，未被召回。"),
    "lot_unknown": ("No such batch is registered: the code may be counterfeit.", "未找到该批次的登记信息，此代码可能是伪造的。"),
    # reasons
    "why_unknown_product": ("No manufacturer registered the product code (GTIN) {gtin}.",
                            "没有生产企业登记过商品代码（GTIN）{gtin}。"),
    "why_unknown_batch": ("The product {product} has no batch (lot) {lot}.", "产品 {product} 没有批号为 {lot} 的批次。"),
    "why_expiry_mismatch": ("The expiry date in the code ({scanned}) differs from the batch's registered expiry date ({expiry}).",
                            "代码中的有效期（{scanned}）与该批次登记的有效期（{expiry}）不符。"),
    "why_unknown_serial": ("Batch {lot} has no pack with serial number {serial}.", "批次 {lot} 中没有序列号为 {serial} 的药盒。"),
    "why_dispensed": ("It was dispensed on {date} by {party}. If that was your purchase, this is expected; if the pack was sold to you as new, it may be a copy.",
                      "该药盒已于 {date} 由 {party} 发放。如果这是您购买的药品，属于正常情况；如果它作为新药卖给您，它可能是仿冒品。"),
    "why_copies": ("This serial number was presented again {count} time(s) after it was used: copies of it circulate.",
                   "此序列号在使用后又被出示了 {count} 次：市面上有该药盒的复制品。"),
    "why_recalled": ("Recalled on {date} by {party}. Reason given: “{reason}”.", "{party} 于 {date} 召回该批次。召回原因：“{reason}”。"),
    "why_expired": ("Its expiry date was {expiry}.", "其有效期至 {expiry}。"),
    "why_quarantined": ("During the shipment from {sender} to {recipient} the temperature reached {temperature} °C on {date} (allowed {low}–{high} °C).",
                        "在从 {sender} 运往 {recipient} 的途中，温度于 {date} 达到 {temperature} °C（允许范围 {low}–{high} °C）。"),
    "why_genuine": ("Lot {lot}, expiry date {expiry}; last received by {holder}.", "批号 {lot}，有效期至 {expiry}；最后由 {holder} 收货。"),
    # advice
    "advice_ok": ("You may use it as prescribed.", "您可以遵医嘱使用。"),
    "advice_stop": ("Do not take it. Return it to the pharmacy or hospital that gave it to you and tell them what this page says.",
                    "请勿服用。请将其退回给您的药房或医院，并告知本页面的内容。"),
    "advice_check": ("Check with the pharmacy or hospital that gave it to you before taking it.",
                     "服用前请先向为您提供药品的药房或医院核实。"),
    # custody steps
    "step_commissioned": ("Made and registered: {quantity} packs", "生产并登记：{quantity} 盒"),
    "step_shipped": ("Shipped to {counterparty}: {quantity} packs", "发往 {counterparty}：{quantity} 盒"),
    "step_received": ("Received: {quantity} packs", "收货：{quantity} 盒"),
    "step_rejected": ("Refused on delivery: {quantity} packs returned", "拒收：{quantity} 盒退回"),
    "step_quarantined": ("Quarantined after a temperature excursion: {quantity} packs", "因温度异常被隔离：{quantity} 盒"),
    "step_recalled": ("Batch recalled", "批次召回"),
    "step_cancelled": ("Shipment cancelled: {quantity} packs back to the sender", "发货取消：{quantity} 盒退回发货方"),
    "step_released": ("Released from quarantine after review: {quantity} packs", "复核后解除隔离：{quantity} 盒"),
    "step_destroyed": ("Destroyed after quarantine: {quantity} packs", "隔离后销毁：{quantity} 盒"),
}


class Text(BaseModel):
    """One sentence in both languages."""

    en: str
    zh: str


def text(key: str, **values: object) -> Text:
    """The sentence ``key`` with its placeholders filled, in both languages."""
    en, zh = TEXTS[key]
    return Text(en=en.format(**values), zh=zh.format(**values))


UI: dict[str, tuple[str, str]] = {
    "title": ("Medicine verification", "药品追溯验证"),
    "product": ("Product", "产品"), "batch": ("Batch", "批次"), "lot": ("Lot", "批号"),
    "serial": ("Serial number", "序列号"), "expiry": ("Expiry date", "有效期"),
    "production": ("Production date", "生产日期"), "maker": ("Manufacturer", "生产企业"),
    "storage": ("Storage", "储存条件"), "custody": ("Custody path: from maker to pharmacy", "流通路径：从生产企业到药房"),
    "chart": ("Temperature during shipment", "运输途中的温度"), "why": ("Why", "原因"),
    "what_to_do": ("What to do", "建议"), "holders": ("Who holds the batch", "批次持有方"),
    "holder": ("Holder", "持有方"), "sellable": ("Sellable", "可售"), "quarantined": ("Quarantined", "隔离"),
    "dispensed": ("Dispensed", "已发放"), "in_transit": ("In transit", "运输中"),
    "suspects": ("Suspected counterfeits", "疑似假药"), "download_csv": ("Download CSV", "下载 CSV"),
    "recall_report": ("Recall report", "召回报告"), "check": ("Check", "验证"),
    "enter_code": ("Scan the code on the box, or type what is printed under it", "扫描药盒上的追溯码，或输入码下方印刷的内容"),
    "units": ("Packs", "盒数"), "status": ("Status", "状态"), "time": ("Time (UTC)", "时间（UTC）"),
    "where": ("Where", "地点"), "allowed": ("Allowed range", "允许范围"), "none": ("None", "无"),
    "api": ("JSON API", "JSON 接口"), "error": ("This request could not be answered", "无法处理此请求"),
    "home": ("Verify another pack", "验证其他药盒"), "batch_page": ("Batch report (for organisations)", "批次报告（供机构使用）"),
    "units_shipped": ("units", "单位编号"), "recalled_flag": ("Recalled", "已召回"), "total": ("Total", "合计"),
}
